/** The bench's results: rows of figures with their baselines, as JSON and as a Markdown table. */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Summary } from "./stats";
import type { SystemInfo } from "./system-info";
import { type OverloadFigures, cpuTable, issueTargets, overloadCurve } from "./targets";

export type Kind = "throughput" | "latency" | "fanout" | "connections" | "footprint";

export interface Measured {
  label: string;
  summary: Summary;
  /** Extra figures (e.g. RSS), shown after the summary. */
  extra?: Record<string, number>;
}

export interface Row {
  id: string;
  scenario: string;
  kind: Kind;
  talk: Measured;
  baseline?: Measured;
  /** talk / baseline for rates, latencies; for fan-out also the p99 difference in ms. */
  ratios: Record<string, number>;
  target?: string;
  met?: boolean;
  note?: string;
  /** CPU milliseconds per operation by component (where the work went), Talk and baseline. */
  cpuPerOp?: { talk: Record<string, number>; baseline?: Record<string, number> };
  /** In a merged report: the index of the run (in `runs`) that measured this row. */
  run?: number;
}

/** One run of `pnpm bench` whose rows a merged report holds. */
export interface RunInfo {
  system: SystemInfo;
  settings: Record<string, unknown>;
  durationSeconds?: number;
}

export interface Results {
  mode: string;
  system: SystemInfo;
  settings: Record<string, unknown>;
  rows: Row[];
  durationSeconds?: number;
  /** A report merged from several runs (`pnpm bench --merge`): each run's conditions. */
  runs?: RunInfo[];
  /** The overload drill's latest figures (drill-latest.json), shown beside the bench's. */
  overload?: OverloadFigures;
  /** connections-latest.json's row, when this report has none of its own. */
  connections?: { date: string; commit: string; row: Row };
}

const RESULTS_DIR = join(__dirname, "..", "..", "results");

const n = (value: number, digits = 1) =>
  Number.isFinite(value)
    ? value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "–";
const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–");
const ms = (value: number) => (Math.abs(value) < 10 ? n(value, 2) : n(value, 1));

export function ratiosOf(kind: Kind, talk: Measured, baseline?: Measured): Record<string, number> {
  if (!baseline) return {};
  const t = talk.summary;
  const b = baseline.summary;
  switch (kind) {
    case "throughput":
      return { rate: t.rate / b.rate, p50: t.p50 / b.p50, p99: t.p99 / b.p99 };
    case "latency":
      return { p50: t.p50 / b.p50, p99: t.p99 / b.p99 };
    case "fanout":
      return { p50: t.p50 / b.p50, p99: t.p99 / b.p99, p99_delta_ms: t.p99 - b.p99 };
    case "connections":
      return { rss: (talk.extra?.rss_mb ?? NaN) / (baseline.extra?.rss_mb ?? NaN) };
    case "footprint":
      return {};
  }
}

function describe(kind: Kind, m: Measured): string {
  const s = m.summary;
  const errors = s.errors ? ` · ${int(s.errors)} errors` : "";
  switch (kind) {
    case "throughput":
      return `${int(s.rate)}/s · p50 ${ms(s.p50)} · p99 ${ms(s.p99)} ms${errors}`;
    case "latency":
      return `p50 ${ms(s.p50)} · p99 ${ms(s.p99)} ms${errors}`;
    case "fanout":
      return `p50 ${ms(s.p50)} · p99 ${ms(s.p99)} ms (${int(s.count)} receipts)${errors}`;
    case "connections":
      return `${int(m.extra?.held ?? 0)} held · RSS ${int(m.extra?.rss_mb ?? NaN)} MB (${n(m.extra?.kb_per_connection ?? NaN, 1)} KB each)${errors}`;
    case "footprint":
      return `ready in ${n(m.extra?.ready_s ?? NaN, 1)} s · ${int(m.extra?.rss_mb ?? NaN)} MB RSS idle in ${int(m.extra?.processes ?? NaN)} process(es)`;
  }
}

function ratioText(row: Row): string {
  const r = row.ratios;
  switch (row.kind) {
    case "throughput":
      return `**${n(r.rate ?? NaN, 2)}×** rate · p50 ${n(r.p50 ?? NaN, 1)}×`;
    case "latency":
      return `p50 **${n(r.p50 ?? NaN, 2)}×** · p99 ${n(r.p99 ?? NaN, 2)}×`;
    case "fanout":
      return `p99 **${r.p99_delta_ms !== undefined && r.p99_delta_ms >= 0 ? "+" : ""}${ms(r.p99_delta_ms ?? NaN)} ms** · p50 ${n(r.p50 ?? NaN, 1)}×`;
    case "connections":
      return r.rss !== undefined ? `RSS ${n(r.rss, 1)}×` : "";
    case "footprint":
      return "";
  }
}

const settingsText = (settings: Record<string, unknown>) =>
  Object.entries(settings)
    .map(
      ([k, v]) =>
        `${k} ${Array.isArray(v) ? v.join("/") : typeof v === "object" ? JSON.stringify(v) : String(v)}`,
    )
    .join(", ");

const durabilityText = (settings: Record<string, unknown>) => {
  const only = Array.isArray(settings.only) ? settings.only.map(String) : undefined;
  const variants =
    Array.isArray(settings.sendVariants) && (!only || only.includes("variants"))
      ? settings.sendVariants.map(String)
      : [];
  return `PostgreSQL (Talk and B1 alike): ${
    settings.durability === "durable"
      ? "production durability: fsync, full_page_writes and synchronous_commit on"
      : settings.durability === "fsync-off"
        ? "fsync=off and full_page_writes=off (a labelled variant, not production settings)"
        : "fsync=off and full_page_writes=off (the bench's settings before issue 18)"
  }${variants.length ? `; send throughput also on: ${variants.join(", ")}` : ""}`;
};

const when = (s: SystemInfo) => `${s.date.slice(0, 16).replace("T", " ")} UTC`;

function header(results: Results): string[] {
  const s = results.system;
  const machine = `Machine: ${s.cpus} × ${s.cpu}, ${s.memoryGb} GB, ${s.os}; Node ${s.node}, PostgreSQL ${s.postgres}, RabbitMQ ${s.rabbitmq} (${s.erlang}).`;
  if (!results.runs)
    return [
      `### Talk benchmark (${results.mode}) — ${when(s)}, commit ${s.commit}`,
      "",
      `${machine.slice(0, -1)}; load average before ${s.loadBefore.join(" / ")}.`,
      `Settings: ${settingsText(results.settings)}.`,
      `${durabilityText(results.settings)}.`,
    ];
  return [
    `### Talk benchmark (${results.mode}, ${results.runs.length} runs merged) — ${when(s)}, commit ${s.commit}`,
    "",
    machine,
    "The scenarios ran as separate runs of `pnpm bench` (each under ten minutes on the shared machine), merged by `pnpm bench --merge`; every ratio is within one run.",
    "",
    ...results.runs.map(
      (run, i) =>
        `- Run ${i + 1}: ${when(run.system)}, commit ${run.system.commit}, load average before ${run.system.loadBefore.join(" / ")}${run.durationSeconds ? `, ${Math.round(run.durationSeconds)} s` : ""}. ${durabilityText(run.settings)}. Settings: ${settingsText(run.settings)}.`,
    ),
  ];
}

export function markdown(results: Results): string {
  const merged = results.runs !== undefined;
  const lines = [
    ...header(results),
    "",
    ...issueTargets(results),
    "",
    "#### Every scenario",
    "",
    `| Scenario | Talk | Baseline | Ratio | Target |${merged ? " Run |" : ""}`,
    `|---|---|---|---|---|${merged ? "---|" : ""}`,
  ];
  for (const row of results.rows) {
    const base = row.baseline ? `${row.baseline.label}: ${describe(row.kind, row.baseline)}` : "—";
    const target = row.target ? `${row.met === undefined ? "" : row.met ? "✅ " : "❌ "}${row.target}` : "";
    lines.push(
      `| ${row.scenario} | ${describe(row.kind, row.talk)} | ${base} | ${ratioText(row)} | ${target} |${merged ? ` ${(row.run ?? 0) + 1} |` : ""}`,
    );
  }
  const cpu = cpuTable(results);
  if (cpu.length) lines.push("", ...cpu);
  const curve = overloadCurve(results);
  if (curve.length) lines.push("", ...curve);
  const notes = results.rows.filter((row) => row.note).map((row) => `- ${row.scenario}: ${row.note}`);
  for (const row of results.rows.filter((r) => r.cpuPerOp)) {
    const parts = (cpu: Record<string, number>) =>
      Object.entries(cpu)
        .filter(([, v]) => v >= 0.005)
        .sort(([, a], [, b]) => b - a)
        .map(([k, v]) => `${k} ${n(v, 2)}`)
        .join(", ");
    const total = (cpu: Record<string, number>) => Object.values(cpu).reduce((a, b) => a + b, 0);
    const cpu = row.cpuPerOp!;
    notes.push(
      `- CPU ms per operation, ${row.scenario}: Talk ${n(total(cpu.talk), 2)} (${parts(cpu.talk)})` +
        (cpu.baseline ? `; baseline ${n(total(cpu.baseline), 2)} (${parts(cpu.baseline)})` : ""),
    );
  }
  if (notes.length) lines.push("", ...notes);
  if (results.durationSeconds) lines.push("", `Whole run: ${Math.round(results.durationSeconds)} s.`);
  return lines.join("\n") + "\n";
}

function readJson<T>(file: string): T | undefined {
  const path = join(RESULTS_DIR, file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : undefined;
}

/**
 * The figures other commands keep, attached to a report for its issue-18 summary: the overload
 * drill's latest curve, and the latest connections row when the report has none.
 */
export function withOtherFigures(results: Results): Results {
  const drill = readJson<{ system: SystemInfo; overload?: Omit<OverloadFigures, "date" | "commit"> }>(
    "drill-latest.json",
  );
  if (drill?.overload)
    results.overload = { ...drill.overload, date: drill.system.date, commit: drill.system.commit };
  if (!results.rows.some((r) => r.id === "connections")) {
    const latest = readJson<Results>("connections-latest.json");
    const row = latest?.rows.find((r) => r.id === "connections");
    if (latest && row) results.connections = { date: latest.system.date, commit: latest.system.commit, row };
  }
  return results;
}

/** A merged report lists its rows in the full run's order, whatever the order of its runs. */
const ROW_ORDER = ["send-", "latency-", "rpc-", "fanout-", "connections", "embedded"];
const rowOrder = (id: string) => {
  const at = ROW_ORDER.findIndex((prefix) => id.startsWith(prefix));
  return at < 0 ? ROW_ORDER.length : at;
};

/**
 * One report from several runs' results (later files win for a row id), each row marked with its
 * run: the full bench split into runs of a few scenarios each.
 */
export function mergeResults(files: string[]): Results {
  const runs: RunInfo[] = [];
  const rows = new Map<string, Row>();
  for (const file of files) {
    const part = JSON.parse(readFileSync(file, "utf8")) as Results;
    const parts = part.runs ?? [
      { system: part.system, settings: part.settings, durationSeconds: part.durationSeconds },
    ];
    const offset = runs.length;
    runs.push(...parts);
    for (const row of part.rows) rows.set(row.id, { ...row, run: offset + (row.run ?? 0) });
  }
  const used = [...new Set([...rows.values()].map((r) => r.run ?? 0))].sort((a, b) => a - b);
  const renumber = new Map(used.map((old, i) => [old, i]));
  const latest = used.map((i) => runs[i]).sort((a, b) => b.system.date.localeCompare(a.system.date))[0];
  const kept = used.map((i) => runs[i]);
  return {
    mode: kept.every((run) => run.settings.mode === "full") ? "full" : "quick",
    system: latest.system,
    settings: {},
    runs: kept,
    rows: [...rows.values()]
      .map((r) => ({ ...r, run: renumber.get(r.run ?? 0) }))
      .sort((a, b) => rowOrder(a.id) - rowOrder(b.id)),
  };
}

/**
 * Writes `<date>-<mode>.json|md` under bench/results; a full run of every scenario (not --quick,
 * no --only), or full runs merged, also becomes `latest.*`, the figures the README quotes (another
 * command names its own: `latest`).
 */
export function writeResults(results: Results, latest?: string): { json: string; md: string } {
  const dir = RESULTS_DIR;
  mkdirSync(dir, { recursive: true });
  const stamp = results.system.date.replace(/[:]/g, "").replace(/\..*$/, "");
  const name = `${stamp}-${results.runs ? "merged" : results.mode}`;
  const json = join(dir, `${name}.json`);
  const md = join(dir, `${name}.md`);
  writeFileSync(json, JSON.stringify(results, null, 2) + "\n");
  writeFileSync(md, markdown(results));
  if (latest) {
    copyFileSync(json, join(dir, `${latest}.json`));
    copyFileSync(md, join(dir, `${latest}.md`));
  } else if (results.mode === "full" && (results.runs || !results.settings.only)) {
    copyFileSync(json, join(dir, "latest.json"));
    copyFileSync(md, join(dir, "latest.md"));
  }
  return { json, md };
}
