/**
 * `tsx src/profile-send.ts [--seconds 10] [--concurrency 32] [--hot] [--fsync-off] [--cpu-prof DIR] [--broker] [--env NAME=VALUE,…]`
 *
 * Where a send's time goes, on one distributed stack: a closed send load (each worker its own chat,
 * or with --hot every worker in one chat) for `--seconds`, after a warm-up, with
 *  - the CPU milliseconds per send of every process (services, PostgreSQL, RabbitMQ, this process);
 *  - PostgreSQL's statements during the window from pg_stat_statements (loaded for this run only,
 *    nested statements of triggers and functions included): calls and execution time per send;
 *  - with --cpu-prof, a V8 CPU profile of exactly the window from every service
 *    (`tsx src/profile-summary.ts <file>` summarises one);
 *  - with --broker, RabbitMQ's side of most of the window (lib/broker-stats.ts): each connection's
 *    packets and octets each way per send, reductions by Erlang process kind, scheduler states.
 * No baseline runs here: the ratios to B1 are the bench's (`pnpm bench --only send`).
 */
import pg from "pg";
import { CpuMeter } from "./lib/cpu";
import { Fixtures } from "./lib/fixtures";
import { HttpClient } from "./lib/http";
import { startStack } from "./lib/stack";
import { type Sender, talkSend } from "./scenarios/send";
import { runCommand } from "./lib/run";
import { argv, option } from "./lib/args";
import { type BrokerWindow, brokerWindow } from "./lib/broker-stats";

const seconds = Number(option("--seconds", "10"));
const concurrency = Number(option("--concurrency", "32"));
const hot = argv.includes("--hot");
const cpuProf = argv.includes("--cpu-prof") ? option("--cpu-prof", "") : undefined;
const broker = argv.includes("--broker");
const durability = argv.includes("--fsync-off") ? "fsync-off" : "durable";
/** Extra environment for every service (e.g. --env SEND_CALLS_IN_FLIGHT=0 to compare a setting). */
const env = Object.fromEntries(
  option("--env", "")
    .split(",")
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
);

const log = (line: string) =>
  process.stdout.write(`[profile ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

interface StatementRow {
  datname: string;
  calls: string;
  total_exec_time: number;
  rows: string;
  query: string;
}

async function main() {
  log(`starting the stack (PostgreSQL ${durability}, pg_stat_statements loaded)`);
  const stack = await startStack(1, {
    durability,
    cpuProf,
    env,
    postgresSettings: ["shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=all"],
  });
  const fixtures = await Fixtures.connect(stack.distributed);
  const stats = new pg.Client({ connectionString: stack.postgresUrl });
  await stats.connect();
  const clients = stack.gateways.map((url) => new HttpClient(url, concurrency));
  try {
    await stats.query("create extension if not exists pg_stat_statements");
    const customer = await fixtures.customer();
    const agents = await fixtures.agents(customer, concurrency + 1);
    const senders: Sender[] = [];
    const hotChat = hot ? await fixtures.groupChat(agents, "profile hot chat") : undefined;
    for (let i = 0; i < concurrency; i++)
      senders.push({
        token: agents[i].token,
        agentId: agents[i].id,
        customerId: customer,
        chatId: hotChat ?? (await fixtures.groupChat([agents[i], agents[i + 1]], `profile ${i}`)),
      });
    log("warm-up (5 s)");
    await talkSend(clients, senders, concurrency, 5);
    const meter = new CpuMeter(() => {
      const named: Record<string, number[]> = {};
      for (const p of stack.distributed.processes) (named[p.spec.service] ??= []).push(p.pid ?? 0);
      return named;
    });
    await stats.query("select pg_stat_statements_reset()");
    const toggle = () =>
      cpuProf && stack.distributed.processes.forEach((p) => p.pid && process.kill(p.pid, "SIGUSR2"));
    log(`measuring ${seconds} s at concurrency ${concurrency}, ${hot ? "1 chat" : `${concurrency} chats`}`);
    toggle();
    // the window starts once the CLI reached the node (about a second) and ends before the sends do
    const brokerSide = broker
      ? brokerWindow(stack.rabbitUrl, Math.max(1000, seconds * 1000 - 3000))
      : undefined;
    brokerSide?.catch(() => undefined);
    const { result, cpuMs } = await meter.during(() => talkSend(clients, senders, concurrency, seconds));
    toggle();
    const summary = result.summary();
    const sends = summary.count;
    const perSend = (ms: number) => (ms / Math.max(1, sends)).toFixed(3);
    const lines = [
      `${sends} sends in ${summary.seconds.toFixed(1)} s: ${summary.rate.toFixed(0)}/s, p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms, ${summary.errors} errors`,
      "",
      "CPU ms per send:",
      ...Object.entries(cpuMs)
        .filter(([, ms]) => ms > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([group, ms]) => `  ${perSend(ms).padStart(7)}  ${group}`),
      `  ${perSend(Object.values(cpuMs).reduce((a, b) => a + b, 0)).padStart(7)}  total`,
      "",
      "PostgreSQL statements (execution time, nested included; per send):",
      "   calls    ms/send  mean ms  rows/call  database: query",
    ];
    const { rows } = await stats.query<StatementRow>(
      `select d.datname, s.calls, s.total_exec_time, s.rows, s.query
         from pg_stat_statements s join pg_database d on d.oid = s.dbid
        where s.query not like '%pg_stat_statements%'
        order by s.total_exec_time desc limit 25`,
    );
    for (const row of rows)
      lines.push(
        `  ${(Number(row.calls) / sends).toFixed(2).padStart(6)}  ${perSend(row.total_exec_time).padStart(8)}  ${(row.total_exec_time / Number(row.calls)).toFixed(3).padStart(7)}  ${(Number(row.rows) / Number(row.calls)).toFixed(1).padStart(9)}  ${row.datname}: ${row.query.replace(/\s+/g, " ").slice(0, 160)}`,
      );
    if (brokerSide) lines.push("", ...(await brokerLines(brokerSide, summary.rate)));
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    for (const client of clients) client.close();
    await stats.end().catch(() => undefined);
    await fixtures.close().catch(() => undefined);
    log("stopping the stack");
    await stack.stop();
  }
}

/** The broker's window per send (`rate`: sends per second during the run). */
async function brokerLines(window: Promise<BrokerWindow>, rate: number): Promise<string[]> {
  const { reductions, schedulers, connections, ms } = await window;
  const sends = (rate * ms) / 1000;
  const per = (n: number) => (n / Math.max(1, sends)).toFixed(2);
  const totalReductions = reductions.reduce((sum, [, n]) => sum + n, 0);
  const lines = [
    `RabbitMQ during ${(ms / 1000).toFixed(1)} s of the window (~${sends.toFixed(0)} sends):`,
    "  per send: packets out  packets in  bytes out  bytes in   connection",
    ...connections
      .sort((a, b) => b.recvCnt + b.sendCnt - a.recvCnt - a.sendCnt)
      .map(
        (c) =>
          `           ${per(c.sendCnt).padStart(11)}  ${per(c.recvCnt).padStart(10)}  ${per(c.sendOct).padStart(9)}  ${per(c.recvOct).padStart(8)}   ${c.name}`,
      ),
    "  scheduler time per send (µs) by state:",
    ...Object.entries(schedulers).map(
      ([type, states]) =>
        `    ${type}: ` +
        Object.entries(states)
          .filter(([state, us]) => state !== "sleep" && us / sends >= 0.5)
          .sort((a, b) => b[1] - a[1])
          .map(([state, us]) => `${state} ${per(us)}`)
          .join(", "),
    ),
    `  reductions per send: ${per(totalReductions)} (top process kinds):`,
    ...reductions
      .slice(0, 20)
      .map(
        ([key, n]) =>
          `    ${per(n).padStart(9)}  ${((100 * n) / totalReductions).toFixed(1).padStart(5)} %  ${key}`,
      ),
  ];
  return lines;
}

runCommand("profile", main);
