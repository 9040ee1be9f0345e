/**
 * Checks a Prometheus text exposition as Prometheus reads it: parse-prometheus-text-format for the
 * syntax of every line, then the rules of the text format that this lenient parser forgives and
 * Prometheus does not (at most one HELP and one TYPE per family, before its samples; a family's lines
 * together; no sample twice). When `promtool` is installed (`PROMTOOL`, or on the PATH; .ci/run
 * takes it from Debian's prometheus package), `promtool check metrics` reads it too.
 */
import { spawnSync } from "node:child_process";
import parsePrometheusTextFormat from "parse-prometheus-text-format";

export interface Family {
  name: string;
  type: string;
  samples: number;
}

const SUFFIXES = ["_bucket", "_sum", "_count", "_total", "_created", "_info"];

/** The family a sample line belongs to, given the families declared so far. */
function familyOf(sample: string, declared: Set<string>): string {
  if (declared.has(sample)) return sample;
  const suffix = SUFFIXES.find((s) => sample.endsWith(s) && declared.has(sample.slice(0, -s.length)));
  return suffix ? sample.slice(0, -suffix.length) : sample;
}

/** The problems of an exposition (empty when Prometheus would take it), and its families. */
export function expositionProblems(text: string): { problems: string[]; families: Family[] } {
  const problems: string[] = [];
  let parsed: { name: string; type: string; metrics: unknown[] }[] = [];
  try {
    parsed = parsePrometheusTextFormat(text) as typeof parsed;
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  const help = new Set<string>();
  const type = new Set<string>();
  const closed = new Set<string>();
  const seen = new Set<string>();
  let current: string | undefined;
  const enter = (family: string, line: number) => {
    if (family === current) return;
    if (closed.has(family)) problems.push(`line ${line}: family ${family} resumes after another family`);
    if (current) closed.add(current);
    current = family;
  };
  text.split("\n").forEach((line, i) => {
    const n = i + 1;
    const meta = line.match(/^# (HELP|TYPE) (\S+)/);
    if (meta) {
      const [, kind, name] = meta as unknown as [string, "HELP" | "TYPE", string];
      const lines = kind === "HELP" ? help : type;
      if (lines.has(name)) problems.push(`line ${n}: second ${kind} line for metric name "${name}"`);
      lines.add(name);
      enter(name, n);
      return;
    }
    if (line === "" || line.startsWith("#")) return;
    const sample = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s/);
    if (!sample) return; // the parser above reported it
    const family = familyOf(sample[1]!, type);
    enter(family, n);
    const key = `${sample[1]}${sample[2] ?? ""}`;
    if (seen.has(key)) problems.push(`line ${n}: second sample ${key}`);
    seen.add(key);
  });
  return {
    problems,
    families: parsed.map((f) => ({ name: f.name, type: f.type, samples: f.metrics.length })),
  };
}

/** `promtool`, if this machine has it. */
export function promtool(): string | undefined {
  for (const candidate of [process.env.PROMTOOL, "promtool"].filter((c): c is string => !!c)) {
    const probe = spawnSync(candidate, ["--version"], { stdio: "ignore" });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

/**
 * What `promtool check metrics` says of the exposition (empty when it passes): every parse error,
 * and its naming lints of Talk's own metrics (`talk_*`; prom-client's default metrics keep the
 * names prom-client gives them, e.g. the gauge `nodejs_active_handles_total`).
 */
export function promtoolProblems(tool: string, text: string): string[] {
  const result = spawnSync(tool, ["check", "metrics"], { input: text, encoding: "utf8" });
  if (result.status === 0) return [];
  return `${result.stdout}${result.stderr}`
    .split("\n")
    .filter((l) => l.trim() !== "")
    .filter((l) => !/^[a-zA-Z_:][a-zA-Z0-9_:]* /.test(l) || l.startsWith("talk_") || /^error/.test(l));
}

/**
 * The sum of a metric's samples over every `/metrics` of a stack, keeping only the samples whose
 * labels include `labels` (e.g. a counter over the replicas of a service).
 */
export async function metricTotal(
  metricsUrls: readonly string[],
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  let total = 0;
  for (const url of metricsUrls) {
    const text = await (await fetch(url)).text();
    for (const [, labelText = "", value] of text.matchAll(
      new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, "gm"),
    ))
      if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) total += Number(value);
  }
  return total;
}
