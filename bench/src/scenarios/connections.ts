/**
 * Connections: idle authenticated, subscribed WebSockets held by one push replica — 19,000 by
 * default, near this machine's limit of 20,000 open files per process — opened by several holder
 * processes (servers/ws-holder.ts), each from its own 127.0.0.x source address, as real clients
 * would come from many. Reported: the replica's RSS per socket beyond its idle RSS, and the CPU it
 * spends keeping them (heartbeat pings and pongs) per 10,000 sockets, measured over one heartbeat
 * interval with nothing else happening; the same number of bare `ws` sockets held by B3 beside it.
 */
import { BenchChild, rssMb } from "../lib/child";
import { type HeldSocket, Holders } from "../lib/holders";
import { processCpuMs } from "../lib/cpu";
import type { Fixtures } from "../lib/fixtures";
import { type Row, ratiosOf } from "../lib/report";
import type { BenchSettings } from "../lib/settings";
import type { BenchStack } from "../lib/stack";
import { sleep } from "../lib/stats";
import { WsClient } from "../lib/ws-clients";

type Log = (line: string) => void;

/** Sockets one holder process opens at most (well under its open-file limit). */
const PER_HOLDER = 5000;
/** The push replica's heartbeat interval (WS_HEARTBEAT_SECONDS, its default). */
const HEARTBEAT_SECONDS = 30;
/** Idle RSS and CPU are read over this long before the sockets are opened. */
const IDLE_SECONDS = 10;

/** Opens `sockets` spread over holder processes (at most PER_HOLDER each). */
async function hold(sockets: HeldSocket[], log: Log) {
  const holders = await Holders.start(Math.ceil(sockets.length / PER_HOLDER));
  try {
    const opened = await holders.open(sockets, "idle", (line) => log(`connections: ${line}`));
    return {
      openSeconds: opened.seconds,
      errors: opened.errors,
      held: () => holders.held(),
      close: () => holders.stop(),
    };
  } catch (error) {
    await holders.stop();
    throw error;
  }
}

/** CPU milliseconds per second `pid` uses over `seconds`. */
async function cpuRate(pid: number, seconds: number): Promise<number> {
  const before = processCpuMs(pid);
  await sleep(seconds * 1000);
  return (processCpuMs(pid) - before) / seconds;
}

export async function runConnections(
  settings: BenchSettings,
  stack: BenchStack,
  fixtures: Fixtures,
  log: Log,
): Promise<Row[]> {
  const replica = stack.push[0];
  if (!replica?.pid) {
    log("connections: this stack has no push service; skipped");
    return [];
  }
  const count = settings.connections;
  const customer = await fixtures.customer();
  const agents = await fixtures.agents(customer, 100);
  const idleCpu = await cpuRate(replica.pid, IDLE_SECONDS);
  const before = rssMb(replica.pid);
  log(
    `connections: opening ${count} authenticated, subscribed WebSockets to ${replica.spec.name} from ${Math.ceil(count / PER_HOLDER)} processes (RSS ${Math.round(before)} MB)`,
  );
  const talkSockets = Array.from({ length: count }, (_, i) => {
    const agent = agents[i % agents.length];
    return { url: WsClient.pushUrl(replica.url, agent.token), topic: `agent_id:${agent.id}:chat` };
  });
  const talkHold = await hold(talkSockets, log);
  let held = 0;
  let after = NaN;
  let heartbeatCpu = NaN;
  try {
    await sleep(2000);
    after = rssMb(replica.pid);
    log(
      `connections: ${await talkHold.held()} held after ${talkHold.openSeconds.toFixed(1)} s, RSS ${Math.round(after)} MB; push CPU over one heartbeat interval (${HEARTBEAT_SECONDS} s)`,
    );
    heartbeatCpu = (await cpuRate(replica.pid, HEARTBEAT_SECONDS)) - idleCpu;
    held = await talkHold.held();
  } finally {
    await talkHold.close();
  }

  const b3 = await BenchChild.start("B3 ws server", "servers/b3-ws-broadcast.ts");
  let bareHeld = 0;
  let bareBefore = NaN;
  let bareAfter = NaN;
  try {
    await sleep(500);
    bareBefore = rssMb(b3.pid);
    const bare = await hold(
      Array.from({ length: count }, () => ({ url: `ws://127.0.0.1:${String(b3.info.port)}/` })),
      log,
    );
    try {
      await sleep(2000);
      bareHeld = await bare.held();
      bareAfter = rssMb(b3.pid);
    } finally {
      await bare.close();
    }
  } finally {
    await b3.stop();
  }
  const summary = (n: number) => ({ count: n, errors: 0, seconds: 0, rate: 0, p50: NaN, p99: NaN, max: NaN });
  const kbPerSocket = ((after - before) * 1024) / Math.max(1, held);
  // CPU ms per second of heartbeats for 10,000 sockets, and per heartbeat round (every 30 s)
  const heartbeatPer10k = (heartbeatCpu * 10_000) / Math.max(1, held);
  const talk = {
    label: "Talk push",
    summary: { ...summary(held), errors: talkHold.errors },
    extra: {
      held,
      rss_mb: after,
      rss_before_mb: before,
      kb_per_connection: kbPerSocket,
      open_seconds: talkHold.openSeconds,
      heartbeat_cpu_ms_per_s_per_10k: heartbeatPer10k,
    },
  };
  const baseline = {
    label: "bare ws",
    summary: summary(bareHeld),
    extra: {
      held: bareHeld,
      rss_mb: bareAfter,
      rss_before_mb: bareBefore,
      kb_per_connection: ((bareAfter - bareBefore) * 1024) / Math.max(1, bareHeld),
    },
  };
  return [
    {
      id: "connections",
      scenario: `Connections: idle authenticated, subscribed WebSockets on one push replica (target ${count.toLocaleString("en-US")}, from ${Math.ceil(count / PER_HOLDER)} processes and source addresses)`,
      kind: "connections",
      talk,
      baseline,
      ratios: ratiosOf("connections", talk, baseline),
      target: `${count.toLocaleString("en-US")} at ≤ 8 KB RSS each beyond the idle replica`,
      met: held >= count && kbPerSocket <= 8,
      note: `opened in ${talkHold.openSeconds.toFixed(1)} s; push RSS ${Math.round(before)} MB before the connections; heartbeats cost ${heartbeatPer10k.toFixed(1)} ms of CPU per second per 10,000 idle sockets (${((heartbeatPer10k * HEARTBEAT_SECONDS) / 1000).toFixed(2)} s per ${HEARTBEAT_SECONDS} s heartbeat round), measured over ${HEARTBEAT_SECONDS} s beside ${idleCpu.toFixed(1)} ms/s idle`,
    },
  ];
}
