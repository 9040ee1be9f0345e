/**
 * `helm template`, offline: the chart's values merged as Helm merges them (maps deeply, everything
 * else replaced, null deletes), its templates rendered by Go's text/template engine
 * (./helm-render.mjs), the output split into Kubernetes objects.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { type K8sObject, ROOT } from "./k8s";

export const CHART = join(ROOT, "deploy/helm/talk");

export interface ChartYaml {
  apiVersion: string;
  name: string;
  version: string;
  appVersion?: string;
}

export const chartYaml = (): ChartYaml => parse(readFileSync(join(CHART, "Chart.yaml"), "utf8")) as ChartYaml;
export const defaultValues = (): Record<string, unknown> =>
  parse(readFileSync(join(CHART, "values.yaml"), "utf8")) as Record<string, unknown>;

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Helm's coalescing of user values over the chart's. */
export function mergeValues(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete merged[key];
    else if (isMap(value) && isMap(merged[key]))
      merged[key] = mergeValues(merged[key] as Record<string, unknown>, value);
    else merged[key] = value;
  }
  return merged;
}

export interface Release {
  name?: string;
  namespace?: string;
}

/** The objects `helm template <name> deploy/helm/talk -n <namespace> -f <values>` prints. */
export function helmTemplate(values: Record<string, unknown> = {}, release: Release = {}): K8sObject[] {
  const chart = chartYaml();
  const context = {
    Values: mergeValues(defaultValues(), values),
    Release: { Name: release.name ?? "talk", Namespace: release.namespace ?? "talk", Service: "Helm" },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion ?? "" },
    Capabilities: {},
  };
  const result = spawnSync(process.execPath, [join(__dirname, "helm-render.mjs")], {
    input: JSON.stringify({ chart: CHART, context }),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`the chart does not render: ${result.stderr}`);
  const files = JSON.parse(result.stdout) as Record<string, string>;
  return Object.entries(files).flatMap(([file, text]) =>
    parseAllDocuments(text, { uniqueKeys: true }).flatMap((doc) => {
      const problems = [...doc.errors, ...doc.warnings];
      if (problems.length > 0)
        throw new Error(`templates/${file}: ${problems.map((p) => p.message).join("; ")}\n${text}`);
      const object = doc.toJS() as K8sObject | null;
      return object ? [object] : [];
    }),
  );
}
