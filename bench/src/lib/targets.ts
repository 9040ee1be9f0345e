/**
 * Issue 18's targets, each met or not, from the rows of one report (ratios within the run that
 * measured them) and the figures other commands own: the overload curve (`pnpm drill --only 8`,
 * drill-latest.json) and, when the report has no connections row, connections-latest.json.
 */
import type { Results, Row } from "./report";

/** The overload drill's figures as drill-latest.json holds them (the fields the report reads). */
export interface OverloadFigures {
  date: string;
  commit: string;
  peakPerSecond?: number;
  peakP99Ms?: number;
  capacityPerSecond: number;
  capacityP99Ms: number;
  steps: {
    /** ramp, curve, or the name of a comparison (the 2× minute again under another condition). */
    phase?: string;
    factor: number;
    seconds: number;
    offeredPerSecond: number;
    goodputPerSecond: number;
    acceptedP50Ms: number;
    acceptedP99Ms: number;
    refused: number;
    refusedP99Ms: number | null;
    failed: number;
    maxRssMb: number;
    maxRssProcess: string;
    loadAverage?: number;
  }[];
  verdict: string;
}

const fmt = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined || !Number.isFinite(value)
    ? "–"
    : value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mark = (met: boolean | undefined) => (met === undefined ? "–" : met ? "✅" : "❌");

interface Target {
  target: string;
  figure: string;
  met?: boolean;
}

const byId = (results: Results, id: string): Row | undefined => results.rows.find((r) => r.id === id);

/** The PostgreSQL settings a row was measured on. */
function durabilityOf(results: Results, row: Row): string {
  const settings = row.run !== undefined && results.runs ? results.runs[row.run].settings : results.settings;
  return settings.durability === "durable" ? "durable" : "fsync=off";
}

function sendTargets(results: Results): Target[] {
  const out: Target[] = [];
  for (const suffix of ["", "-fsync-off"])
    for (const chats of ["32-chats", "1-chat"]) {
      const row = byId(results, `send-${chats}${suffix}`);
      if (!row) continue;
      const label = suffix ? "fsync=off variant" : durabilityOf(results, row);
      const rate = row.ratios.rate;
      out.push({
        target: `Send throughput c=32, ${chats.replace("-", " ")}, ${label}: ≥ 1.0× B1`,
        figure: `${fmt(row.talk.summary.rate, 0)}/s vs B1 ${fmt(row.baseline?.summary.rate, 0)}/s = **${fmt(rate)}×**`,
        met: rate >= 1,
      });
    }
  for (const chats of ["32-chats", "1-chat"]) {
    const cluster = byId(results, `send-${chats}-rabbitmq-cluster`);
    const alone = byId(results, `send-${chats}`);
    if (!cluster || !alone) continue;
    out.push({
      target: `Send c=32, ${chats.replace("-", " ")}, on a 3-node RabbitMQ cluster (beside the single node; no target)`,
      figure: `${fmt(cluster.talk.summary.rate, 0)}/s = ${fmt(cluster.talk.summary.rate / alone.talk.summary.rate)}× the single node's ${fmt(alone.talk.summary.rate, 0)}/s; ${fmt(cluster.ratios.rate)}× its B1`,
    });
  }
  return out;
}

/**
 * The B2 the latency targets use: rpc-c1's baseline, B2 on a quorum request queue (the type of the
 * stack's RPC queues: the bare broker hop as deployed); runs before the bench measured both queue
 * types had B2 on a classic queue only. The classic-queue B2 (rpc-c1-classic's baseline) is shown
 * beside it, with the limit it would give.
 */
function b2Of(results: Results): { p50?: number; label: string; classic?: number } {
  const rpc = byId(results, "rpc-c1");
  const classic = byId(results, "rpc-c1-classic")?.baseline?.summary.p50;
  const label = rpc?.baseline?.label.includes("quorum")
    ? "B2 on a quorum queue, as the stack's RPC queues"
    : "B2 on a classic queue (a run before B2 was measured on the stack's quorum queue type)";
  return { p50: rpc?.baseline?.summary.p50, label, classic };
}

function latencyTargets(results: Results): Target[] {
  const out: Target[] = [];
  const b2 = b2Of(results);
  const rpc = byId(results, "rpc-c1");
  const beside = (limit: (b2: number) => number, figure: number) =>
    b2.classic === undefined
      ? ""
      : `; with B2 on a classic queue (${fmt(b2.classic)} ms) the limit would be ${fmt(limit(b2.classic))} ms: ${figure <= limit(b2.classic) ? "met" : "not met"}`;
  const post = byId(results, "latency-post-message");
  if (post && b2.p50 !== undefined) {
    const b1 = post.baseline?.summary.p50 ?? NaN;
    const limit = (b: number) => b1 + 2 * b + 0.5;
    const p50 = post.talk.summary.p50;
    out.push({
      target: "POST talk_messages p50, c=1: ≤ B1 p50 + 2 × B2 p50 + 0.5 ms",
      figure: `${fmt(p50)} ms vs ${fmt(b1)} + 2 × ${fmt(b2.p50)} + 0.5 = ${fmt(limit(b2.p50))} ms (${b2.label})${beside(limit, p50)}`,
      met: p50 <= limit(b2.p50),
    });
  }
  const get = byId(results, "latency-get-chat");
  if (get && b2.p50 !== undefined) {
    const limit = (b: number) => 2 * b + 1;
    const p50 = get.talk.summary.p50;
    out.push({
      target: "GET talk_chats/{id} p50, c=1: ≤ 2 × B2 p50 + 1 ms",
      figure: `${fmt(p50)} ms vs 2 × ${fmt(b2.p50)} + 1 = ${fmt(limit(b2.p50))} ms (${b2.label})${beside(limit, p50)}`,
      met: p50 <= limit(b2.p50),
    });
  }
  if (rpc && b2.p50 !== undefined) {
    const p50 = rpc.talk.summary.p50;
    const classic = byId(results, "rpc-c1-classic");
    out.push({
      target: "Request/reply round trip of the bus alone (AmqpBus ↔ AmqpBus), c=1: ≤ 2× B2",
      figure:
        `p50 ${fmt(p50)} ms = **${fmt(p50 / b2.p50)}×** ${fmt(b2.p50)} ms (${b2.label})` +
        (classic?.baseline
          ? `; on classic queues, bus ${fmt(classic.talk.summary.p50)} ms = ${fmt(classic.ratios.p50)}× B2 ${fmt(classic.baseline.summary.p50)} ms`
          : ""),
      met: p50 <= 2 * b2.p50,
    });
  }
  return out;
}

function connectionTargets(results: Results): Target[] {
  const row = byId(results, "connections") ?? results.connections?.row;
  if (!row) return [];
  const extra = row.talk.extra ?? {};
  const from = byId(results, "connections")
    ? ""
    : ` (connections-latest.json, ${results.connections?.date ?? "?"})`;
  const wanted = Number(/target ([\d,]+)/.exec(row.scenario)?.[1]?.replace(/,/g, "") ?? 19_000);
  return [
    {
      target: "19,000 idle authenticated, subscribed WebSockets on one push replica at ≤ 8 KB RSS each",
      figure: `${fmt(extra.held, 0)} held (of ${fmt(wanted, 0)}), ${fmt(extra.kb_per_connection, 1)} KB each beyond the idle replica${from}`,
      met: (extra.held ?? 0) >= 19_000 && (extra.kb_per_connection ?? Infinity) <= 8,
    },
    {
      target: "Heartbeat CPU per 10,000 idle sockets (reported)",
      figure: `${fmt(extra.heartbeat_cpu_ms_per_s_per_10k, 1)} ms of CPU per second${from}`,
    },
  ];
}

function fanoutTargets(results: Results): Target[] {
  const row = byId(results, "fanout-5000");
  if (!row) return [];
  return [
    {
      target: "Fan-out p99 at N = 5,000: ≤ 2× B3 at the same N",
      figure: `${fmt(row.talk.summary.p99, 1)} ms vs B3 ${fmt(row.baseline?.summary.p99, 1)} ms = **${fmt(row.ratios.p99)}×**`,
      met: (row.ratios.p99 ?? Infinity) <= 2,
    },
  ];
}

/**
 * The step the targets judge: the curve's 2× minute (the curve's last step); comparisons after it
 * offer the same minute under other conditions. Reports before steps had phases: the last step.
 */
export function overloadStep(o: OverloadFigures): OverloadFigures["steps"][number] | undefined {
  const curve = o.steps.filter((s) => s.phase === "curve");
  return curve.length ? curve[curve.length - 1] : o.steps[o.steps.length - 1];
}

function overloadTargets(results: Results): Target[] {
  const o = results.overload;
  if (!o) return [];
  const last = overloadStep(o);
  const peak = o.peakPerSecond ?? o.capacityPerSecond;
  const peakP99 = o.peakP99Ms ?? o.capacityP99Ms;
  if (!last) return [];
  const maxRss = Math.max(...o.steps.map((s) => s.maxRssMb));
  const src = ` (drill-latest.json, ${o.date.slice(0, 16).replace("T", " ")} UTC, commit ${o.commit})`;
  return [
    {
      target: "Overload, offered 2× the peak for 60 s: goodput ≥ 90 % of the peak",
      figure: `${fmt(last.goodputPerSecond, 0)}/s at ${fmt(last.offeredPerSecond, 0)}/s offered = ${fmt((100 * last.goodputPerSecond) / peak, 0)} % of ${fmt(peak, 0)}/s${src}`,
      met: last.goodputPerSecond >= 0.9 * peak,
    },
    {
      target: "Overload: p99 of accepted requests ≤ 5× the p99 at the peak",
      figure: `${fmt(last.acceptedP99Ms, 0)} ms vs 5 × ${fmt(peakP99, 0)} ms`,
      met: last.acceptedP99Ms <= 5 * peakP99,
    },
    {
      target: "Overload: the excess refused fast (429/503 p99 < 50 ms), not timeouts",
      figure: `${fmt(last.refused, 0)} refused, p99 ${fmt(last.refusedP99Ms, 0)} ms; ${fmt(last.failed, 0)} failed otherwise`,
      met:
        last.refused === 0
          ? undefined
          : (last.refusedP99Ms ?? Infinity) < 50 && last.failed <= last.refused * 0.001 + 1,
    },
    {
      target: "Overload: RSS of every process bounded (largest during the steps)",
      figure: `${fmt(maxRss, 0)} MB`,
    },
  ];
}

/** Every other row that states a target (embedded mode, fan-out at N = 100, the bus) with its verdict. */
function rowTargets(results: Results, shown: Set<string>): Target[] {
  return results.rows
    .filter((r) => r.target && !shown.has(r.id))
    .map((r) => ({ target: `${r.scenario}: ${r.target}`, figure: figureOf(r), met: r.met }));
}

function figureOf(row: Row): string {
  const s = row.talk.summary;
  switch (row.kind) {
    case "throughput":
      return `${fmt(s.rate, 0)}/s = ${fmt(row.ratios.rate)}× ${row.baseline?.label ?? ""}`;
    case "latency":
      return `p50 ${fmt(s.p50)} ms = ${fmt(row.ratios.p50)}× ${row.baseline?.label ?? ""}`;
    case "fanout":
      return `p99 ${fmt(s.p99, 1)} ms vs ${fmt(row.baseline?.summary.p99, 1)} ms`;
    default: {
      const extra = Object.entries(row.talk.extra ?? {}).map(([k, v]) => `${k} ${fmt(v, 1)}`);
      return extra.join(", ") || `${fmt(s.count, 0)}`;
    }
  }
}

/** The CPU per send by process, for every send row (Talk and B1), as a table. */
export function cpuTable(results: Results): string[] {
  const rows = results.rows.filter((r) => r.id.startsWith("send-") && r.cpuPerOp);
  if (rows.length === 0) return [];
  const processes = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.cpuPerOp!.talk)) processes.add(k);
  const order = [...processes]
    .filter((p) => rows.some((r) => (r.cpuPerOp!.talk[p] ?? 0) >= 0.005))
    .sort((a, b) => (rows[0].cpuPerOp!.talk[b] ?? 0) - (rows[0].cpuPerOp!.talk[a] ?? 0));
  const total = (cpu: Record<string, number>) => Object.values(cpu).reduce((a, b) => a + b, 0);
  const lines = [
    "CPU milliseconds per send, by process (all processes of the run on the same 2 cores; `bench` is the load generator):",
    "",
    `| Send pass | total | ${order.join(" | ")} | B1 total (b1 · postgres · bench) |`,
    `|---|---|${order.map(() => "---").join("|")}|---|`,
  ];
  for (const r of rows) {
    const cpu = r.cpuPerOp!;
    const b = cpu.baseline ?? {};
    lines.push(
      `| ${r.id} | ${fmt(total(cpu.talk))} | ${order.map((p) => fmt(cpu.talk[p] ?? 0)).join(" | ")} | ${fmt(total(b))} (${fmt(b.b1 ?? 0)} · ${fmt(b.postgres ?? 0)} · ${fmt(b.bench ?? 0)}) |`,
    );
  }
  return lines;
}

/** The overload curve (offered vs goodput vs p99) from the drill's latest figures. */
export function overloadCurve(results: Results): string[] {
  const o = results.overload;
  if (!o) return [];
  const peak = o.peakPerSecond ?? o.capacityPerSecond;
  return [
    `Overload curve (\`pnpm drill --only 8\`, ${o.date.slice(0, 16).replace("T", " ")} UTC, commit ${o.commit}; [drill-latest.md](drill-latest.md)): closed-loop capacity ${fmt(o.capacityPerSecond, 0)}/s (p99 ${fmt(o.capacityP99Ms, 0)} ms), peak ${fmt(peak, 0)}/s (p99 ${fmt(o.peakP99Ms, 0)} ms).`,
    "",
    "| Step | Offered | For | Goodput | Accepted p50 · p99 | Refused · p99 | Failed otherwise | Largest RSS |",
    "|---|---|---|---|---|---|---|---|",
    ...o.steps.map(
      (s) =>
        `| ${s.phase ?? "–"} | ${fmt(s.factor)}× = ${fmt(s.offeredPerSecond, 0)}/s | ${fmt(s.seconds, 0)} s | ${fmt(s.goodputPerSecond, 0)}/s (${fmt((100 * s.goodputPerSecond) / peak, 0)} % of peak) | ${fmt(s.acceptedP50Ms, 0)} · ${fmt(s.acceptedP99Ms, 0)} ms | ${fmt(s.refused, 0)} · ${fmt(s.refusedP99Ms, 0)} ms | ${fmt(s.failed, 0)} | ${fmt(s.maxRssMb, 0)} MB (${s.maxRssProcess}) |`,
    ),
  ];
}

/** Issue 18's targets as a table: target, figure, met or not. */
export function issueTargets(results: Results): string[] {
  const shown = new Set([
    "send-32-chats",
    "send-1-chat",
    "send-32-chats-fsync-off",
    "send-1-chat-fsync-off",
    "connections",
    "fanout-5000",
    "send-32-chats-rabbitmq-cluster",
    "send-1-chat-rabbitmq-cluster",
    "rpc-c1",
  ]);
  const targets = [
    ...sendTargets(results),
    ...latencyTargets(results),
    ...overloadTargets(results),
    ...connectionTargets(results),
    ...fanoutTargets(results),
    ...rowTargets(results, shown),
  ];
  if (targets.length === 0) return [];
  return [
    "#### Issue 18's targets (2 cores; ratios within the run that measured them)",
    "",
    "| | Target | Measured |",
    "|---|---|---|",
    ...targets.map((t) => `| ${mark(t.met)} | ${t.target} | ${t.figure} |`),
  ];
}
