/**
 * The Grafana dashboard (deploy/grafana) and the Prometheus alerts (deploy/k8s/monitoring) use only
 * metrics the code registers: every metric name in their PromQL is checked against the registry of
 * a `Metrics` instance (default Node.js process metrics included) and the services' own metrics
 * (services/<name>/src/metrics.ts, constructed on that registry).
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Metrics } from "@talk/kit";
import { ROOT, loadManifests } from "./k8s";

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
  panels?: Panel[];
}

const dashboard = JSON.parse(readFileSync(join(ROOT, "deploy/grafana/talk-dashboard.json"), "utf8")) as {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown; definition?: string }[] };
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

/** Series Prometheus makes itself rather than scraping them. */
const SYNTHETIC = new Set(["up", "scrape_duration_seconds", "scrape_samples_scraped"]);
const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "inf",
  "nan",
]);

/** The metric names a PromQL expression reads (function and aggregation names, labels, keywords excluded). */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // strings
    .replace(/\{[^}]*\}/g, "") // label matchers
    .replace(/\[[^\]]*\]/g, "") // ranges and subqueries
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "") // grouping labels
    .replace(/\$\{?\w+\}?/g, ""); // dashboard variables
  return [...stripped.matchAll(/(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*(?![\w:]|\s*\()/g)]
    .map((m) => m[0])
    .filter((name) => !KEYWORDS.has(name.toLowerCase()));
}

/** Every metric the services register, with its type. */
async function registeredMetrics(): Promise<Map<string, string>> {
  const metrics = new Metrics("dashboard-test");
  for (const service of readdirSync(join(ROOT, "services"))) {
    const file = join(ROOT, "services", service, "src/metrics.ts");
    if (!existsSync(file)) continue;
    const module = (await import(file)) as Record<string, unknown>;
    for (const exported of Object.values(module))
      if (typeof exported === "function" && /^class\s/.test(Function.prototype.toString.call(exported)))
        new (exported as new (m: Metrics) => unknown)(metrics);
  }
  const json = await metrics.registry.getMetricsAsJSON();
  return new Map(json.map((m) => [m.name, String(m.type)]));
}

/** The problems of one expression: metric names the code does not register. */
function unknownMetrics(expr: string, registered: Map<string, string>): string[] {
  return metricNames(expr).filter((name) => {
    if (registered.has(name) || SYNTHETIC.has(name)) return false;
    const base = name.replace(/_(bucket|sum|count)$/, "");
    const type = registered.get(base);
    if (base !== name && (type === "histogram" || type === "summary"))
      return name.endsWith("_bucket") ? type === "summary" : false;
    return true;
  });
}

describe("metricNames", () => {
  it("reads metric names and nothing else from PromQL", () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, route) (rate(talk_http_request_duration_seconds_bucket{service=~"$service",status=~"5.."}[$__rate_interval])))',
      ),
    ).toEqual(["talk_http_request_duration_seconds_bucket"]);
    expect(
      metricNames(
        "max by (service) (a_b) > 0 and on (service) sum by (service) (rate(c_total[5m] offset 1h)) == 0",
      ),
    ).toEqual(["a_b", "c_total"]);
    expect(metricNames('up{job="x"} == 0 or vector(1)')).toEqual(["up"]);
  });
});

describe("deploy/grafana/talk-dashboard.json", () => {
  let registered: Map<string, string>;
  beforeAll(async () => {
    registered = await registeredMetrics();
  });

  it("is a Grafana dashboard with a Prometheus data source variable", () => {
    expect(dashboard.title).toBe("Talk");
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9-_]{1,40}$/);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const datasource = dashboard.templating.list.find((v) => v.type === "datasource");
    expect(datasource).toMatchObject({ name: "datasource", query: "prometheus" });
    for (const p of panels.filter((p) => p.type !== "row")) {
      expect([p.title, p.datasource]).toEqual([p.title, { type: "prometheus", uid: "${datasource}" }]);
      expect(p.targets?.length).toBeGreaterThan(0);
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("uses only metrics the code registers", () => {
    const variableQueries = dashboard.templating.list
      .map((v) => v.definition ?? "")
      .map((d) => /label_values\(([^,)]+)/.exec(d)?.[1] ?? "")
      .filter(Boolean);
    const problems = [
      ...exprs.flatMap(({ panel, expr }) =>
        unknownMetrics(expr, registered).map((name) => `${panel}: ${name}`),
      ),
      ...variableQueries.flatMap((q) => unknownMetrics(q, registered).map((name) => `variable: ${name}`)),
    ];
    expect(problems).toEqual([]);
  });

  it("covers the RED metrics, the outbox, WebSockets and the processes", () => {
    const used = new Set(
      exprs.flatMap(({ expr }) => metricNames(expr)).map((n) => n.replace(/_(bucket|sum|count)$/, "")),
    );
    const talk = [...registered.keys()].filter((name) => name.startsWith("talk_"));
    expect(talk.filter((name) => !used.has(name))).toEqual([]); // every Talk metric has a panel
    for (const name of [
      "process_resident_memory_bytes",
      "process_cpu_seconds_total",
      "nodejs_eventloop_lag_seconds",
    ])
      expect(used.has(name)).toBe(true);
  });

  it("gives every expression the service filter", () => {
    expect(exprs.filter(({ expr }) => !expr.includes('service=~"$service"')).map((e) => e.panel)).toEqual([]);
  });
});

describe("deploy/k8s/monitoring: the alerts", () => {
  const rules = loadManifests(join(ROOT, "deploy/k8s/monitoring"))
    .filter((m) => m.object.kind === "PrometheusRule")
    .flatMap((m) =>
      m.object.spec.groups.flatMap(
        (g: any) => g.rules as { alert: string; expr: string; annotations: Record<string, string> }[],
      ),
    );
  const operations = readFileSync(join(ROOT, "docs/operations.md"), "utf8");
  /** GitHub's heading anchors. */
  const anchors = new Set(
    [...operations.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-"),
    ),
  );

  it("use only metrics the code registers", async () => {
    const registered = await registeredMetrics();
    expect(rules.length).toBeGreaterThan(5);
    expect(
      rules.flatMap((r) => unknownMetrics(r.expr, registered).map((name) => `${r.alert}: ${name}`)),
    ).toEqual([]);
  });

  it("each link a runbook section of docs/operations.md, which names the alert", () => {
    for (const rule of rules) {
      const [file, anchor] = rule.annotations.runbook!.split("#");
      expect([rule.alert, file]).toEqual([rule.alert, "docs/operations.md"]);
      expect([rule.alert, anchors.has(anchor!)]).toEqual([rule.alert, true]);
      expect([rule.alert, operations.includes(rule.alert)]).toEqual([rule.alert, true]);
    }
  });
});
