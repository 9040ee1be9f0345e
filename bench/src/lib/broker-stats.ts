/**
 * What a single local RabbitMQ node (the testkit's, found by its AMQP port) does during a window:
 * reductions by Erlang process kind (a registered name, the module that started it, or for a
 * channel its connection's name and channel number), the scheduler time by state (microstate
 * accounting, microseconds of wall time per state: `emulator`, `port` and `gc` of the normal
 * schedulers are CPU; the dirty IO schedulers' time includes waiting on the disk) and each client
 * connection's socket counters (packets and octets each way). Read through one `rabbitmqctl eval`
 * run as the node's user with its cookie and epmd; the node does the sampling (a little work of its
 * own inside the window), the CLI's VM starts about a second before the window and ends with it.
 */
import { execFile } from "node:child_process";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface NodeAccess {
  node: string;
  home: string;
  epmdPort: string;
  user: string;
}

/** The beam process of the local node listening on `port`, and how to reach it with the CLI. */
function findNode(port: number): NodeAccess {
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    if (!args[0]?.endsWith("beam.smp")) continue;
    const home = args[args.indexOf("-home") + 1];
    const epmdPort = args[args.indexOf("-epmd_port") + 1];
    if (!home || !epmdPort || args.indexOf("-home") < 0) continue;
    let config = "";
    try {
      config = readFileSync(home.replace(/\/home$/, "/rabbitmq.conf"), "utf8");
    } catch {
      continue;
    }
    if (!config.includes(`:${port}\n`)) continue;
    const uid = /Uid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? "0";
    const user =
      readFileSync("/etc/passwd", "utf8")
        .split("\n")
        .map((line) => line.split(":"))
        .find((fields) => fields[2] === uid)?.[0] ?? "root";
    return { node: `talk-test-${port}@localhost`, home, epmdPort, user };
  }
  throw new Error(`No local RabbitMQ node listens on port ${port}`);
}

/** The Erlang expression: snapshots, a sleep of `ms`, and the differences as a printed term. */
function expression(ms: number, out: string): string {
  return `
Key = fun(P) ->
  case erlang:process_info(P, [registered_name, dictionary, initial_call]) of
    undefined -> gone;
    [{registered_name, []}, {dictionary, D}, {initial_call, IC}] ->
      case lists:keyfind('$initial_call', 1, D) of
        {_, {M, _, _}} -> M;
        false -> element(1, IC)
      end;
    [{registered_name, N}, _, _] -> N
  end
end,
Snap = fun() -> maps:from_list([{P, R} || P <- erlang:processes(), {reductions, R} <- [erlang:process_info(P, reductions)]]) end,
Conns = fun() ->
  try [{case lists:keyfind(<<"connection_name">>, 1, proplists:get_value(client_properties, I, [])) of {_, _, CN} -> CN; false -> proplists:get_value(name, I) end, proplists:get_value(send_cnt, I), proplists:get_value(recv_cnt, I), proplists:get_value(send_oct, I), proplists:get_value(recv_oct, I)}
       || I <- rabbit_networking:connection_info_all([name, client_properties, send_cnt, recv_cnt, send_oct, recv_oct])]
  catch _:_ -> [] end
end,
msacc:start(),
C1 = Conns(), S1 = Snap(),
timer:sleep(${ms}),
S2 = Snap(), C2 = Conns(),
msacc:stop(),
ConnNames = try maps:from_list([{proplists:get_value(pid, I), case lists:keyfind(<<"connection_name">>, 1, proplists:get_value(client_properties, I, [])) of {_, _, CN} -> CN; false -> unnamed end} || I <- rabbit_networking:connection_info_all([pid, client_properties])]) catch _:_ -> #{} end,
Key2 = fun(P) ->
  case Key(P) of
    rabbit_channel ->
      try rabbit_channel:info(P, [connection, number]) of
        [{connection, CP}, {number, Num}] -> {channel, maps:get(CP, ConnNames, unnamed), Num}
      catch _:_ -> rabbit_channel end;
    K0 -> K0
  end
end,
Red = maps:fold(fun(P, R2, Acc) -> K = Key2(P), maps:update_with(K, fun(V) -> V + R2 - maps:get(P, S1, 0) end, R2 - maps:get(P, S1, 0), Acc) end, #{}, S2),
Top = lists:sublist(lists:reverse(lists:keysort(2, maps:to_list(Red))), 30),
Msacc = [{maps:get(type, T), maps:get(id, T), maps:to_list(maps:get(counters, T))} || T <- msacc:stats(), maps:get(type, T) =:= scheduler orelse maps:get(type, T) =:= dirty_io_scheduler orelse maps:get(type, T) =:= dirty_cpu_scheduler orelse maps:get(type, T) =:= poll],
ConnDelta = [{N, S - S0, R - R0, SO - SO0, RO - RO0} || {N, S, R, SO, RO} <- C2, {N0, S0, R0, SO0, RO0} <- C1, N =:= N0],
ok = file:write_file("${out}", io_lib:format("~w", [{Top, Msacc, ConnDelta}])).
`;
}

export interface BrokerWindow {
  /** How long the window was (ms). */
  ms: number;
  /** Reductions by process kind, largest first. */
  reductions: Array<[string, number]>;
  /** Microseconds per scheduler state, summed over the threads of each type. */
  schedulers: Record<string, Record<string, number>>;
  /** Per client connection: packets and octets each way during the window. */
  connections: Array<{ name: string; sendCnt: number; recvCnt: number; sendOct: number; recvOct: number }>;
}

/**
 * Runs the window (`ms` long, starting when the CLI reached the node: about a second after the
 * call) and parses what it printed.
 */
export async function brokerWindow(amqpUrl: string, ms: number): Promise<BrokerWindow> {
  const access = findNode(Number(new URL(amqpUrl).port));
  const out = join(tmpdir(), `broker-window-${process.pid}-${Date.now()}.txt`);
  await new Promise<string>((resolve, reject) =>
    execFile(
      "runuser",
      [
        "-u",
        access.user,
        "--",
        "env",
        `HOME=${access.home}`,
        `ERL_EPMD_PORT=${access.epmdPort}`,
        "/usr/lib/rabbitmq/bin/rabbitmqctl",
        "-n",
        access.node,
        "eval",
        expression(ms, out),
      ],
      { timeout: ms + 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
  try {
    return { ...parse(readFileSync(out, "utf8")), ms };
  } finally {
    rmSync(out, { force: true });
  }
}

/** Parses the term the node wrote (`~w`). */
function parse(text: string): BrokerWindow {
  const tokens = tokenize(text);
  let at = 0;
  const value = (): unknown => {
    const token = tokens[at++];
    if (token === "{" || token === "[") {
      const close = token === "{" ? "}" : "]";
      const items: unknown[] = [];
      while (tokens[at] !== close) {
        items.push(value());
        if (tokens[at] === ",") at++;
        else if (tokens[at] === "|") at++;
      }
      at++;
      return items;
    }
    if (/^-?\d+$/.test(token)) return Number(token);
    if (token.startsWith("<<"))
      return Buffer.from(token.slice(2, -2).split(",").filter(Boolean).map(Number)).toString("utf8");
    return token.replace(/^'|'$/g, "");
  };
  const [top, msacc, conns] = value() as [unknown[][], unknown[][], unknown[][]];
  const schedulers: Record<string, Record<string, number>> = {};
  for (const [type, , counters] of msacc as [string, number, Array<[string, number]>][]) {
    const byState = (schedulers[type] ??= {});
    for (const [state, us] of counters) byState[state] = (byState[state] ?? 0) + us;
  }
  return {
    ms: 0,
    reductions: top.map(([key, n]) => [Array.isArray(key) ? key.join(" ") : String(key), Number(n)]),
    schedulers,
    connections: (conns as unknown[][]).map(([name, sendCnt, recvCnt, sendOct, recvOct]) => ({
      name: String(name),
      sendCnt: Number(sendCnt),
      recvCnt: Number(recvCnt),
      sendOct: Number(sendOct),
      recvOct: Number(recvOct),
    })),
  };
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*(<<[^>]*>>|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[{}[\],|]|[^\s{}[\],|]+)/gy;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) tokens.push(match[1]);
  return tokens;
}
