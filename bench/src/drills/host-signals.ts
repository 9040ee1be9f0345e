/**
 * What the machine says while the overload drill runs, to explain its latencies: how many
 * connections wait in a listening socket's accept queue (the kernel's /proc/net/tcp, `rx_queue`
 * of a socket in LISTEN), the load average, and how many requests each gateway refused and why
 * (its /metrics).
 */
import { readFileSync, readdirSync } from "node:fs";
import { setPriority } from "node:os";

/** Connections accepted by the kernel but not yet by the process, per listening port. */
export function acceptQueues(ports: number[]): number {
  let most = 0;
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 5 || fields[3] !== "0A") continue; // LISTEN
      const port = parseInt(fields[1].split(":")[1], 16);
      if (!ports.includes(port)) continue;
      most = Math.max(most, parseInt(fields[4].split(":")[1], 16));
    }
  }
  return most;
}

/** The 1-minute load average. */
export function loadAverage(): number {
  return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}

/**
 * What the gateways' /metrics say: requests refused by admission control so far, by reason, summed
 * over the gateways; the time their 503 answers took inside them (the request-duration histogram:
 * from the request read to its answer, so without the wait before the gateway got to it); and the worst gateway's event-loop delay (p99 and max, ms) since its metrics
 * were last read (prom-client starts the delay histogram again at every read).
 */
export async function gatewaySignals(gatewayUrls: string[]): Promise<{
  shed: Record<string, number>;
  lagP99Ms: number;
  lagMaxMs: number;
  /** How long the gateways took over their 503 answers: cumulative count per bucket bound (ms). */
  refusalBuckets: Record<string, number>;
}> {
  const shed: Record<string, number> = {};
  const refusalBuckets: Record<string, number> = {};
  let lagP99Ms = 0;
  let lagMaxMs = 0;
  for (const url of gatewayUrls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const [, reason, value] of text.matchAll(
      /^talk_http_requests_shed_total\{[^}]*reason="([^"]+)"[^}]*\} (\S+)$/gm,
    ))
      shed[reason] = (shed[reason] ?? 0) + Number(value);
    for (const [, labels, value] of text.matchAll(
      /^talk_http_request_duration_seconds_bucket\{([^}]*)\} (\S+)$/gm,
    )) {
      if (!labels.includes('status="503"')) continue;
      const le = /le="([^"]+)"/.exec(labels)?.[1];
      if (le) refusalBuckets[le] = (refusalBuckets[le] ?? 0) + Number(value);
    }
    const seconds = (name: string) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1] ?? 0);
    lagP99Ms = Math.max(lagP99Ms, 1000 * seconds("nodejs_eventloop_lag_p99_seconds"));
    lagMaxMs = Math.max(lagMaxMs, 1000 * seconds("nodejs_eventloop_lag_max_seconds"));
  }
  return { shed, lagP99Ms, lagMaxMs, refusalBuckets };
}

/**
 * The bucket bound (ms) under which 99 % of the requests between two readings of a histogram's
 * cumulative buckets fell (Infinity: above the largest bound; NaN: none).
 */
export function bucketP99Ms(before: Record<string, number>, after: Record<string, number>): number {
  const bounds = Object.keys(after)
    .map((le) => ({ le, ms: le === "+Inf" ? Infinity : 1000 * Number(le) }))
    .sort((a, b) => a.ms - b.ms);
  const count = (le: string) => (after[le] ?? 0) - (before[le] ?? 0);
  const total = count("+Inf");
  if (!(total > 0)) return NaN;
  return bounds.find(({ le }) => count(le) >= 0.99 * total)?.ms ?? Infinity;
}

/** The machine's CPU so far (/proc/stat, every core): busy and total milliseconds. */
export function machineCpuMs(): { busyMs: number; totalMs: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is inside user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
  const busy = user + nice + system + irq + softirq + (steal ?? 0);
  return { busyMs: busy * 10, totalMs: (busy + idle + iowait) * 10 };
}

/**
 * The scheduler's account of a process's main thread — the one that runs its event loop
 * (/proc/PID/schedstat): time it ran, time it was ready to run but waited for a core, and how many
 * times it was given one. Undefined once the process is gone.
 */
export function schedStat(pid: number): { runMs: number; waitMs: number; runs: number } | undefined {
  try {
    const [run, wait, runs] = readFileSync(`/proc/${pid}/schedstat`, "utf8").trim().split(/\s+/).map(Number);
    return { runMs: run / 1e6, waitMs: wait / 1e6, runs };
  } catch {
    return undefined;
  }
}

/**
 * Sets the scheduling priority (nice, -20 to 19; lower runs first) of every thread of a process
 * (Linux keeps a nice value per thread). Lowering it below 0 needs root (CAP_SYS_NICE).
 */
export function renice(pid: number, nice: number): void {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return; // gone
  }
  for (const tid of threads) {
    try {
      setPriority(Number(tid), nice);
    } catch {
      // a thread that ended meanwhile
    }
  }
}
