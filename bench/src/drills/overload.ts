/**
 * The overload drill: measure the send capacity (a closed loop with enough concurrency to saturate
 * the stack: its throughput is the capacity), then offer
 * an open-loop load — requests started at a fixed rate whatever the answers — at 0.5×, 1×, 1.5× and,
 * for a minute, 2× the peak (the capacity, or a step's goodput when one served more). A system that sheds well keeps its goodput near the peak, keeps
 * the latency of what it accepts, refuses the excess fast (429/503 in milliseconds, not timeouts)
 * and keeps its memory bounded.
 */
import { randomUUID } from "node:crypto";
import type { BenchChild } from "../lib/child";
import { CpuMeter } from "../lib/cpu";
import { type HttpClient, closedLoop } from "../lib/http";
import { sampleProcess } from "../lib/proc";
import { Samples, sleep } from "../lib/stats";
import type { OpenLoopCommand, OpenLoopReply } from "../servers/load-generator";
import {
  acceptQueues,
  bucketP99Ms,
  gatewaySignals,
  loadAverage,
  machineCpuMs,
  schedStat,
} from "./host-signals";

export interface OverloadSender {
  token: string;
  chatId: string;
}

/**
 * A step's part: the ramp that finds the peak, the curve at 0.5×, 1×, 1.5× and 2× of it, or a
 * comparison: the 2× minute again under other conditions (named).
 */
export type OverloadPhase = string;

/** The 2× minute once more after `prepare` (e.g. gateways restarted with another setting). */
export interface OverloadComparison {
  phase: string;
  prepare?: () => Promise<void>;
  /** Undoes `prepare` afterwards (later drills run on the default stack). */
  restore?: () => Promise<void>;
  /** Clients that keep their connections (default) or open one per request. */
  keepAlive?: boolean;
  /** The clients close a connection idle this long (default: the generator's, for the gateways' defaults). */
  idleCloseMs?: number;
}

/**
 * The ramp's offers, as multiples of the closed loop's capacity: half as much again each step, so
 * five steps of half a minute reach 5×.
 */
const RAMP = [1, 1.5, 2.25, 3.4, 5];

export interface OverloadStep {
  phase?: OverloadPhase;
  /** Offered load as a multiple of the peak (of the capacity in reports before the ramp). */
  factor: number;
  seconds: number;
  offeredPerSecond: number;
  goodputPerSecond: number;
  acceptedP50Ms: number;
  acceptedP99Ms: number;
  refused: number;
  refusedP50Ms?: number;
  refusedP99Ms: number;
  /** Requests that failed otherwise (timeouts, broken connections, other statuses). */
  failed: number;
  /** The most common ways they failed, with counts. */
  failures: string[];
  /** Largest RSS of any Talk process during the step, and which. */
  maxRssMb: number;
  maxRssProcess: string;
  /**
   * The load generator's own event-loop delay (p99 and max): an answer is timed when this process
   * gets to it, so a busy generator adds this much to every latency it reports.
   */
  clientLagP99Ms: number;
  clientLagMaxMs: number;
  /**
   * 99 % of the refusals took at most this inside the gateways, from the request read to the 503
   * (a bucket bound of the request-duration histogram): the rest of a refusal's time is waiting.
   */
  refusedInGatewayP99Ms?: number;
  /** The worst gateway's own event-loop delay during the step: a refusal waits at least this. */
  gatewayLagP99Ms?: number;
  gatewayLagMaxMs?: number;
  /**
   * The scheduler's view of the event-loop threads during the step (/proc/PID/schedstat, mean over
   * the processes): the share of the step's time each ran, the share it was ready to run but waited
   * for a core, and its mean wait each time it got one — a request that arrives while its loop
   * waits for a core waits too, refusals included.
   */
  gatewayThreads?: ThreadTimes;
  generatorThreads?: ThreadTimes;
  /** Connections the generators opened during the step (keep-alive clients reuse theirs). */
  connectionsOpened?: number;
  /** Most connections waiting in a gateway's accept queue (accepted by the kernel, not yet by Node). */
  acceptQueueMax: number;
  /** The machine's 1-minute load average at the end of the step (2 cores; other work included). */
  loadAverage: number;
  /** Refusals of the step by admission control's reason (in_flight, queue, event_loop). */
  shedReasons: Record<string, number>;
  /**
   * Where the machine's CPU went during the step, as a share (%) of all its cores: the load
   * generators, the gateways, the other Talk services, PostgreSQL, RabbitMQ, and everything else
   * on the machine (other work included: the bench process, other users).
   */
  cpuPercent?: Record<string, number>;
}

export interface ThreadTimes {
  runPercent: number;
  waitPercent: number;
  waitPerRunMs: number;
}

type Sched = Map<number, NonNullable<ReturnType<typeof schedStat>>>;

const schedOf = (pids: number[]): Sched => {
  const all: Sched = new Map();
  for (const pid of pids) {
    const stat = schedStat(pid);
    if (stat) all.set(pid, stat);
  }
  return all;
};

/** Mean over the processes found in both readings `ms` apart. */
function threadTimes(before: Sched, after: Sched, ms: number): ThreadTimes | undefined {
  let run = 0;
  let wait = 0;
  let runs = 0;
  let n = 0;
  for (const [pid, b] of before) {
    const a = after.get(pid);
    if (!a) continue;
    run += a.runMs - b.runMs;
    wait += a.waitMs - b.waitMs;
    runs += a.runs - b.runs;
    n++;
  }
  if (n === 0) return undefined;
  const share = (v: number) => Math.round((1000 * v) / n / ms) / 10;
  return { runPercent: share(run), waitPercent: share(wait), waitPerRunMs: runs > 0 ? wait / runs : 0 };
}

export interface OverloadResult {
  /** Closed-loop concurrency of the capacity measurement. */
  concurrency: number;
  capacityPerSecond: number;
  capacityP99Ms: number;
  /** The most served: the closed loop's rate or a better open-loop step's goodput (and its p99). */
  peakPerSecond?: number;
  peakP99Ms?: number;
  steps: OverloadStep[];
  /** How the open loop's clients connected, and from how many generator processes. */
  clients?: "keep-alive" | "connection per request";
  /** The nice value the gateways and the generators ran at (0: the same as every other process). */
  frontNice?: number;
  generators?: number;
  ok: boolean;
  verdict: string;
}

const send = (client: HttpClient, sender: OverloadSender, text: string) =>
  client.request(
    "POST",
    "/v1.0/service_agents/talk_messages",
    { chat_id: sender.chatId, type: "normal", text },
    { authorization: `Bearer ${sender.token}`, "idempotency-key": randomUUID() },
  );

/** How the open loop's clients connect (see servers/load-generator.ts). */
export interface OpenLoopClients {
  /** The generator processes that share the schedule. */
  generators: BenchChild[];
  /** Keep-alive API clients (default) or a connection per request. */
  keepAlive: boolean;
  /** Close a connection idle this long (default: the generator's). */
  idleCloseMs?: number;
}

/** Starts `rate` requests a second for `seconds`, each on its own, and classifies every answer. */
async function openLoop(
  clients: OpenLoopClients,
  senders: OverloadSender[],
  rate: number,
  seconds: number,
  processes: () => { name: string; pid: number }[],
  gateways: { urls: string[]; ports: number[] },
): Promise<Omit<OverloadStep, "factor">> {
  const meter = new CpuMeter(() => {
    const talk = processes();
    return {
      generators: clients.generators.map((g) => g.pid),
      gateways: talk.filter((p) => p.name.startsWith("api-gateway")).map((p) => p.pid),
      services: talk.filter((p) => !p.name.startsWith("api-gateway")).map((p) => p.pid),
    };
  });
  const gatewayPids = () =>
    processes()
      .filter((p) => p.name.startsWith("api-gateway"))
      .map((p) => p.pid);
  const generatorPids = clients.generators.map((g) => g.pid);
  const schedBefore = {
    gateways: schedOf(gatewayPids()),
    generators: schedOf(generatorPids),
    at: performance.now(),
  };
  const cpuBefore = { byPid: meter.snapshot(), machine: machineCpuMs() };
  const before = await gatewaySignals(gateways.urls);
  const shedBefore = before.shed;
  let acceptQueueMax = 0;
  let maxRss = { mb: 0, name: "" };
  const sampler = setInterval(() => {
    for (const p of processes()) {
      const sample = sampleProcess(p.pid);
      if (sample && sample.rssMb > maxRss.mb) maxRss = { mb: sample.rssMb, name: p.name };
    }
  }, 500);
  const queues = setInterval(() => {
    acceptQueueMax = Math.max(acceptQueueMax, acceptQueues(gateways.ports));
  }, 100);
  const command: Omit<OpenLoopCommand, "index"> = {
    gateways: gateways.urls,
    senders,
    rate,
    seconds,
    startAt: Date.now() + 500,
    processes: clients.generators.length,
    keepAlive: clients.keepAlive,
    idleCloseMs: clients.idleCloseMs,
    timeoutMs: 30_000,
  };
  const started = performance.now() + 500;
  const replies = (await Promise.all(
    clients.generators.map((g, index) =>
      g.request({ type: "openLoop", ...command, index }, (seconds + 60) * 1000),
    ),
  )) as unknown as OpenLoopReply[];
  const elapsed = (performance.now() - started) / 1000;
  const schedMs = performance.now() - schedBefore.at;
  const gatewayThreads = threadTimes(schedBefore.gateways, schedOf(gatewayPids()), schedMs);
  const generatorThreads = threadTimes(schedBefore.generators, schedOf(generatorPids), schedMs);
  clearInterval(sampler);
  clearInterval(queues);
  const after = await gatewaySignals(gateways.urls);
  const cpuPercent = cpuShares(cpuBefore, { byPid: meter.snapshot(), machine: machineCpuMs() });
  const shedAfter = after.shed;
  const shedReasons = Object.fromEntries(
    Object.entries(shedAfter)
      .map(([reason, n]) => [reason, n - (shedBefore[reason] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
  const accepted = new Samples();
  const refused = new Samples();
  const why = new Map<string, number>();
  for (const reply of replies) {
    for (const ms of reply.accepted) accepted.add(ms);
    for (const ms of reply.refused) refused.add(ms);
    for (const [what, n] of reply.failures) why.set(what, (why.get(what) ?? 0) + n);
  }
  const a = accepted.summary();
  return {
    seconds: elapsed,
    offeredPerSecond: rate,
    goodputPerSecond: a.count / elapsed,
    acceptedP50Ms: a.p50,
    acceptedP99Ms: a.p99,
    refused: refused.count,
    refusedP50Ms: refused.summary().p50,
    refusedP99Ms: refused.summary().p99,
    failed: [...why.values()].reduce((sum, n) => sum + n, 0),
    failures: [...why]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([what, n]) => `${n}× ${what}`),
    maxRssMb: maxRss.mb,
    maxRssProcess: maxRss.name,
    clientLagP99Ms: Math.max(...replies.map((r) => r.lagP99Ms)),
    clientLagMaxMs: Math.max(...replies.map((r) => r.lagMaxMs)),
    refusedInGatewayP99Ms: bucketP99Ms(before.refusalBuckets, after.refusalBuckets),
    gatewayLagP99Ms: after.lagP99Ms,
    gatewayLagMaxMs: after.lagMaxMs,
    gatewayThreads,
    generatorThreads,
    connectionsOpened: replies.reduce((sum, r) => sum + r.connectionsOpened, 0),
    acceptQueueMax,
    loadAverage: loadAverage(),
    shedReasons,
    cpuPercent,
  };
}

type CpuReading = { byPid: ReturnType<CpuMeter["snapshot"]>; machine: ReturnType<typeof machineCpuMs> };

/** CPU used between two readings, by group, as a share (%) of the machine's (all cores). */
function cpuShares(before: CpuReading, after: CpuReading): Record<string, number> {
  const total = after.machine.totalMs - before.machine.totalMs;
  const used: Record<string, number> = {};
  for (const [pid, { group, cpuMs }] of after.byPid) {
    const name = group === "bench" || group === "other" ? "rest" : group;
    used[name] = (used[name] ?? 0) + cpuMs - (before.byPid.get(pid)?.cpuMs ?? 0);
  }
  const ours = Object.entries(used).reduce((sum, [name, ms]) => (name === "rest" ? sum : sum + ms), 0);
  used.rest = after.machine.busyMs - before.machine.busyMs - ours;
  return Object.fromEntries(
    Object.entries(used).map(([name, ms]) => [name, Math.round((1000 * Math.max(0, ms)) / total) / 10]),
  );
}

export async function runOverload(
  /** Keep-alive clients for the capacity; the generator processes for the open loop. */
  clients: { closedLoop: HttpClient[]; openLoop: OpenLoopClients },
  senders: OverloadSender[],
  processes: () => { name: string; pid: number }[],
  gatewayUrls: string[],
  options: {
    concurrency: number;
    capacitySeconds: number;
    stepSeconds: number;
    overloadSeconds: number;
    /** Offer the 2× minute once more under each of these, in order. */
    comparisons?: OverloadComparison[];
    /** Runs the curve's 2× minute (e.g. inside a CPU profile of the services). */
    around2x?: <T>(work: () => Promise<T>) => Promise<T>;
  },
  log: (line: string) => void,
): Promise<OverloadResult> {
  log(`overload: measuring capacity (closed loop, concurrency ${options.concurrency})`);
  await closedLoop(options.concurrency, 2, async (w, i) => {
    const reply = await send(
      clients.closedLoop[w % clients.closedLoop.length],
      senders[w % senders.length],
      `warm ${w} ${i}`,
    );
    return reply.status === 200;
  });
  const measured = await closedLoop(options.concurrency, options.capacitySeconds, async (w, i) => {
    const reply = await send(
      clients.closedLoop[w % clients.closedLoop.length],
      senders[w % senders.length],
      `peak ${w} ${i}`,
    );
    return reply.status === 200;
  });
  const capacity = measured.summary();
  log(`overload: capacity ${capacity.rate.toFixed(0)}/s, p99 ${capacity.p99.toFixed(1)} ms`);
  const gateways = { urls: gatewayUrls, ports: gatewayUrls.map((url) => Number(new URL(url).port)) };
  const steps: OverloadStep[] = [];
  const run = async (
    phase: OverloadPhase,
    offered: number,
    seconds: number,
    openLoopClients = clients.openLoop,
  ) => {
    log(`overload: ${phase}: offering ${offered.toFixed(0)}/s for ${seconds} s`);
    const step = {
      phase,
      factor: 0,
      ...(await openLoop(openLoopClients, senders, offered, seconds, processes, gateways)),
    };
    steps.push(step);
    log(
      `overload: ${offered.toFixed(0)}/s → goodput ${step.goodputPerSecond.toFixed(0)}/s, p99 ${step.acceptedP99Ms.toFixed(0)} ms, refused ${step.refused} (p50 ${step.refusedP50Ms?.toFixed(1)} ms, p99 ${step.refusedP99Ms.toFixed(1)} ms, inside the gateway ≤ ${step.refusedInGatewayP99Ms} ms), connections opened ${step.connectionsOpened}, failed ${step.failed} ${step.failures.join("; ")}; generator lag p99 ${step.clientLagP99Ms.toFixed(0)} ms, max ${step.clientLagMaxMs.toFixed(0)} ms; gateway lag p99 ${step.gatewayLagP99Ms?.toFixed(0)} ms, max ${step.gatewayLagMaxMs?.toFixed(0)} ms; accept queue max ${step.acceptQueueMax}; loop threads ran · waited for a core · per wake-up: gateways ${threads(step.gatewayThreads)}, generators ${threads(step.generatorThreads)}; load ${step.loadAverage}; shed ${JSON.stringify(step.shedReasons)}; CPU % ${JSON.stringify(step.cpuPercent)}`,
    );
    await sleep(2000); // let queues drain between steps
    return step;
  };
  // The peak: a closed loop of modest concurrency is bound by its own latency (on a busy machine it
  // served less than half of what the stack could), so an open loop ramps up from it until what is
  // served stops growing: two steps (not necessarily in a row) that were not all served and served
  // under 5 % more than the best step before them — the first step past the capacity can serve
  // less than the next while admission control adapts to the jump (measured: 686/s at 1017/s
  // offered, then 954/s at 1029/s in the curve). The peak is the most a whole step served, and its
  // p99 the p99 at the peak.
  let peak = { rate: capacity.rate, p99: capacity.p99 };
  const better = (step: OverloadStep) => {
    if (step.goodputPerSecond > peak.rate) peak = { rate: step.goodputPerSecond, p99: step.acceptedP99Ms };
  };
  let misses = 0;
  for (const factor of RAMP) {
    const best = peak.rate;
    const step = await run("ramp", factor * capacity.rate, options.stepSeconds);
    better(step);
    if (step.goodputPerSecond < 0.9 * step.offeredPerSecond && step.goodputPerSecond < 1.05 * best) misses++;
    if (misses === 2) break;
  }
  log(`overload: peak ${peak.rate.toFixed(0)}/s (p99 ${peak.p99.toFixed(0)} ms)`);
  const rampPeak = peak.rate;
  for (const factor of [0.5, 1, 1.5]) better(await run("curve", factor * rampPeak, options.stepSeconds));
  // a curve step that served more than the ramp's best is the peak: the minute offers twice that
  if (peak.rate > rampPeak) log(`overload: peak ${peak.rate.toFixed(0)}/s (a curve step served more)`);
  const twice = () => run("curve", 2 * peak.rate, options.overloadSeconds);
  const double = await (options.around2x ? options.around2x(twice) : twice());
  for (const comparison of options.comparisons ?? []) {
    log(`overload: comparison: ${comparison.phase}`);
    await comparison.prepare?.();
    try {
      await run(comparison.phase, 2 * peak.rate, options.overloadSeconds, {
        ...clients.openLoop,
        keepAlive: comparison.keepAlive ?? true,
        idleCloseMs: comparison.idleCloseMs,
      });
    } finally {
      await comparison.restore?.();
    }
  }
  for (const step of steps) step.factor = step.offeredPerSecond / peak.rate;
  const checks: [boolean, string][] = [
    [
      double.goodputPerSecond >= 0.9 * peak.rate,
      `goodput at 2× the peak ${double.goodputPerSecond.toFixed(0)}/s vs ≥ 90 % of ${peak.rate.toFixed(0)}/s`,
    ],
    [
      double.acceptedP99Ms <= 5 * peak.p99,
      `accepted p99 at 2× the peak ${double.acceptedP99Ms.toFixed(0)} ms vs ≤ 5 × ${peak.p99.toFixed(0)} ms`,
    ],
    [
      double.refused === 0 || double.refusedP99Ms < 50,
      `refusals p99 ${Number.isNaN(double.refusedP99Ms) ? "–" : double.refusedP99Ms.toFixed(1)} ms vs < 50 ms`,
    ],
    [
      double.failed <= 0.001 * double.offeredPerSecond * double.seconds,
      `${double.failed} requests failed otherwise (timeouts, broken connections: at most 0.1 %)${double.failures.length ? `: ${double.failures.join("; ")}` : ""}`,
    ],
  ];
  return {
    concurrency: options.concurrency,
    capacityPerSecond: capacity.rate,
    capacityP99Ms: capacity.p99,
    peakPerSecond: peak.rate,
    peakP99Ms: peak.p99,
    steps,
    clients: clients.openLoop.keepAlive ? "keep-alive" : "connection per request",
    generators: clients.openLoop.generators.length,
    ok: checks.every(([ok]) => ok),
    verdict: checks.map(([ok, what]) => `${ok ? "✅" : "❌"} ${what}`).join("; "),
  };
}

const threads = (t: ThreadTimes | undefined) =>
  t ? `${t.runPercent} % · ${t.waitPercent} % · ${t.waitPerRunMs.toFixed(2)} ms` : "–";

const reasons = (shed: Record<string, number> | undefined) =>
  shed && Object.keys(shed).length
    ? Object.entries(shed)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(", ")
    : "–";

const cpu = (shares: Record<string, number> | undefined) =>
  shares
    ? ["generators", "gateways", "services", "postgres", "rabbitmq", "rest"]
        .map((group) => `${shares[group] ?? 0} %`)
        .join(" · ")
    : "–";

/** The drill report's section (`drill` is the drill's number). */
export function overloadMarkdown(overload: OverloadResult, drill: number, fixedAdmission: boolean): string[] {
  // NaN (nothing measured) comes back from drill-latest.json as null
  const ms = (v: number | null | undefined) =>
    v === null || v === undefined || Number.isNaN(v) ? "–" : `${v.toFixed(v < 10 ? 1 : 0)} ms`;
  const clients =
    overload.clients === "keep-alive"
      ? `keep-alive API clients (a connection pool per gateway, a new connection only when every open one is busy) in ${overload.generators} generator processes`
      : `a connection per request${overload.generators ? ` from ${overload.generators} generator processes` : " from one process"}`;
  return [
    `#### Overload (drill ${drill}): capacity ${overload.capacityPerSecond.toFixed(0)} sends/s (closed loop, concurrency ${overload.concurrency ?? 128}, p99 ${ms(overload.capacityP99Ms)}), then an open loop from ${clients} ramps up in half-minute steps until it is no longer served${overload.peakPerSecond ? ` — peak ${overload.peakPerSecond.toFixed(0)}/s (p99 ${ms(overload.peakP99Ms ?? NaN)}) — and offers 0.5×, 1×, 1.5× and, for a minute, 2× the peak` : ""}${fixedAdmission ? " — gateways with their fixed in-flight limit only (--fixed-admission)" : ""}${overload.frontNice ? ` — the gateways and the generators ahead of the other processes (nice ${overload.frontNice})` : overload.frontNice === 0 ? " — every process at the same priority (--equal-priority)" : ""}`,
    "",
    "| Step | Offered | For | Goodput | Accepted p50 · p99 | Refused (429/503) · p50 · p99 · p99 inside the gateway | Refused by reason | Failed otherwise | Largest RSS | Generator lag p99 | Gateway lag p99 · max | Loop threads ran · waited for a core · wait per wake-up: gateways; generators | Connections opened | Accept queue max | Load average | CPU: generators · gateways · other services · PostgreSQL · RabbitMQ · rest |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...overload.steps.map(
      (s) =>
        `| ${s.phase ?? "–"} | ${Number(s.factor.toFixed(2))}× = ${s.offeredPerSecond.toFixed(0)}/s | ${s.seconds.toFixed(0)} s | ${s.goodputPerSecond.toFixed(0)}/s (${((100 * s.goodputPerSecond) / (overload.peakPerSecond ?? overload.capacityPerSecond)).toFixed(0)} % of the peak) | ${ms(s.acceptedP50Ms)} · ${ms(s.acceptedP99Ms)} | ${s.refused} · ${ms(s.refusedP50Ms)} · ${ms(s.refusedP99Ms)} · ${s.refusedInGatewayP99Ms === undefined || s.refusedInGatewayP99Ms === null || Number.isNaN(s.refusedInGatewayP99Ms) ? "–" : `≤ ${ms(s.refusedInGatewayP99Ms)}`} | ${reasons(s.shedReasons)} | ${s.failed}${s.failures.length ? ` (${s.failures.join("; ")})` : ""} | ${s.maxRssMb.toFixed(0)} MB (${s.maxRssProcess}) | ${ms(s.clientLagP99Ms)} | ${ms(s.gatewayLagP99Ms)} · ${ms(s.gatewayLagMaxMs)} | ${threads(s.gatewayThreads)}; ${threads(s.generatorThreads)} | ${s.connectionsOpened ?? "–"} | ${s.acceptQueueMax ?? "–"} | ${s.loadAverage ?? "–"} | ${cpu(s.cpuPercent)} |`,
    ),
    "",
    "Offered: as a multiple of the peak. Step: ramp (finding the peak: the offer raised half as much again each half minute from the closed loop's rate until what is served stops growing — two steps not all served and under 5 % above the best before them; the peak is the best goodput a whole step sustained, and when a curve step sustains more than the ramp's best it becomes the peak, the 2× minute offers twice it, and the curve's factors read below 0.5, 1 and 1.5), curve, or a comparison: the 2× minute again, later in the same run, under the named condition (`--connection-per-request`: clients that open a connection per request, so every refusal also costs an accept and a close; `--compare-lag-only`: gateways restarted with `OVERLOAD_EVENT_LOOP_BUSY_PERCENT=0`, the event-loop rule on lateness alone; `--compare-fixed`: gateways restarted with their fixed in-flight limit only, then restarted as configured for one more minute — \"again\" — so the two alternate; `--compare-priority`: the running gateways reniced to the services' priority (nice 0; the generators stay ahead), then back — \"again\"). Latencies: from a request handed to the HTTP client to its whole response; a refusal's p99 inside the gateway is from the request read to its 503 (a bucket bound of `talk_http_request_duration_seconds`) — the rest is the wait before the gateway got to it (since refusals are answered before the access log and tracing, they are no longer in that histogram: –). Refused by reason: admission control's rule (docs/operations.md, Overload). Generator lag: the worst generator process's own event-loop delay, included in every latency it reports. Gateway lag: the worst gateway's own event-loop delay during the step — a request waits at least that long to be read, refusals included. Loop threads: the scheduler's account (/proc/PID/schedstat) of the thread that runs each gateway's and each generator's event loop, mean per process: the share of the step it ran, the share it was ready to run but waited for a core (a request that arrives meanwhile waits as long), and its mean wait each time it got a core. Connections opened: new TCP connections during the step. Accept queue: connections the kernel accepted that a gateway had not yet taken (a refusal waits there too). Load average: the machine's, other work on it included (2 cores). CPU: where the machine's CPU went during the step, as a share of both cores (/proc): the three load-generator processes, the two gateways, the other Talk services, PostgreSQL, RabbitMQ, and the rest (the drill process itself and whatever else ran on the machine); what is missing to 100 % was idle.",
    "",
    `Result: ${overload.ok ? "✅" : "❌"} ${overload.verdict}.`,
    "",
  ];
}
