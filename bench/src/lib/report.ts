/** The bench's results: rows of figures with their baselines, as JSON and as a Markdown table. */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Summary } from "./stats";
import type { SystemInfo } from "./system-info";

export type Kind = "throughput" | "latency" | "fanout" | "connections";

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
}

export interface Results {
  mode: string;
  system: SystemInfo;
  settings: Record<string, unknown>;
  rows: Row[];
  durationSeconds?: number;
}

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
  }
}

export function markdown(results: Results): string {
  const s = results.system;
  const variants = Array.isArray(results.settings.sendVariants)
    ? results.settings.sendVariants.map(String)
    : [];
  const lines = [
    `### Talk benchmark (${results.mode}) — ${s.date.slice(0, 16).replace("T", " ")} UTC, commit ${s.commit}`,
    "",
    `Machine: ${s.cpus} × ${s.cpu}, ${s.memoryGb} GB, ${s.os}; Node ${s.node}, PostgreSQL ${s.postgres}, RabbitMQ ${s.rabbitmq} (${s.erlang}); load average before ${s.loadBefore.join(" / ")}.`,
    `Settings: ${Object.entries(results.settings)
      .map(
        ([k, v]) =>
          `${k} ${Array.isArray(v) ? v.join("/") : typeof v === "object" ? JSON.stringify(v) : String(v)}`,
      )
      .join(", ")}.`,
    `PostgreSQL (Talk and B1 alike): ${
      results.settings.durability === "durable"
        ? "production durability: fsync, full_page_writes and synchronous_commit on"
        : "fsync=off and full_page_writes=off (a labelled variant, not production settings)"
    }${variants.length ? `; send throughput also on: ${variants.join(", ")}` : ""}.`,
    "",
    "| Scenario | Talk | Baseline | Ratio | Target |",
    "|---|---|---|---|---|",
  ];
  for (const row of results.rows) {
    const base = row.baseline ? `${row.baseline.label}: ${describe(row.kind, row.baseline)}` : "—";
    const target = row.target ? `${row.met === undefined ? "" : row.met ? "✅ " : "❌ "}${row.target}` : "";
    lines.push(
      `| ${row.scenario} | ${describe(row.kind, row.talk)} | ${base} | ${ratioText(row)} | ${target} |`,
    );
  }
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

/**
 * Writes `<date>-<mode>.json|md` under bench/results; a full run of every scenario (not --quick,
 * no --only) also becomes `latest.*`, the figures the README quotes (another command names its
 * own: `latest`).
 */
export function writeResults(results: Results, latest?: string): { json: string; md: string } {
  const dir = join(__dirname, "..", "..", "results");
  mkdirSync(dir, { recursive: true });
  const stamp = results.system.date.replace(/[:]/g, "").replace(/\..*$/, "");
  const json = join(dir, `${stamp}-${results.mode}.json`);
  const md = join(dir, `${stamp}-${results.mode}.md`);
  writeFileSync(json, JSON.stringify(results, null, 2) + "\n");
  writeFileSync(md, markdown(results));
  if (latest) {
    copyFileSync(json, join(dir, `${latest}.json`));
    copyFileSync(md, join(dir, `${latest}.md`));
  } else if (results.mode === "full" && !results.settings.only) {
    copyFileSync(json, join(dir, "latest.json"));
    copyFileSync(md, join(dir, "latest.md"));
  }
  return { json, md };
}
