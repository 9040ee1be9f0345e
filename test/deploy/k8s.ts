/**
 * Offline checks of Kubernetes manifests: YAML parsing, validation against the Kubernetes JSON
 * Schemas that the `kubernetes-models` packages ship (compiled ajv validators, no network), and a
 * strict pass that reports fields the API does not know (what `kubeconform -strict` does), read
 * from the same packages' type declarations with the TypeScript compiler.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { parseAllDocuments } from "yaml";
import { ConfigMap, Namespace, Secret, Service } from "kubernetes-models/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { Gateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import {
  PrometheusRule,
  ServiceMonitor,
} from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

export const ROOT = join(__dirname, "../..");

/** A Kubernetes object as parsed from YAML. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: any;
}

export interface Manifest {
  /** Path relative to the repository root. */
  file: string;
  /** Index of the document in its file. */
  index: number;
  object: K8sObject;
}

export const typeKey = (o: { apiVersion: string; kind: string }) => `${o.apiVersion}/${o.kind}`;
export const where = (m: Manifest) => `${m.file}#${m.index} ${m.object.kind}/${m.object.metadata?.name}`;

export function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return yamlFilesUnder(path);
      return /\.ya?ml$/.test(entry.name) ? [path] : [];
    })
    .sort();
}

/** Parses every document of a YAML file; a syntax error or warning throws, naming the file. */
export function parseYamlFile(path: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(path, "utf8"), { prettyErrors: true, uniqueKeys: true });
  const file = relative(ROOT, path);
  return docs.map((doc, index) => {
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0)
      throw new Error(`${file}#${index}: ${problems.map((p) => p.message).join("; ")}`);
    return doc.toJS({ maxAliasCount: 0 });
  });
}

/** Every Kubernetes object in the YAML files under `dir` (kustomization.yaml files are kustomize's own). */
export function loadManifests(dir: string): Manifest[] {
  const files = yamlFilesUnder(dir).filter((path) => !/(^|\/)kustomization\.ya?ml$/.test(path));
  return files.flatMap((path) =>
    parseYamlFile(path)
      .map((object, index) => ({ file: relative(ROOT, path), index, object: object as K8sObject }))
      .filter((m) => m.object !== null && m.object !== undefined),
  );
}

type Validating = { validate(): void };
type ModelClass = new (data: never) => Validating;

/** The kinds with a JSON Schema shipped offline, and where their type declarations are. */
const MODELS: Record<string, { model: ModelClass; types: string }> = {
  "v1/Namespace": { model: Namespace as unknown as ModelClass, types: "kubernetes-models/v1/Namespace" },
  "v1/ConfigMap": { model: ConfigMap as unknown as ModelClass, types: "kubernetes-models/v1/ConfigMap" },
  "v1/Secret": { model: Secret as unknown as ModelClass, types: "kubernetes-models/v1/Secret" },
  "v1/Service": { model: Service as unknown as ModelClass, types: "kubernetes-models/v1/Service" },
  "apps/v1/Deployment": {
    model: Deployment as unknown as ModelClass,
    types: "kubernetes-models/apps/v1/Deployment",
  },
  "autoscaling/v2/HorizontalPodAutoscaler": {
    model: HorizontalPodAutoscaler as unknown as ModelClass,
    types: "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
  },
  "networking.k8s.io/v1/Ingress": {
    model: Ingress as unknown as ModelClass,
    types: "kubernetes-models/networking.k8s.io/v1/Ingress",
  },
  "networking.k8s.io/v1/NetworkPolicy": {
    model: NetworkPolicy as unknown as ModelClass,
    types: "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
  },
  "gateway.networking.k8s.io/v1/Gateway": {
    model: Gateway as unknown as ModelClass,
    types: "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway",
  },
  "gateway.networking.k8s.io/v1/HTTPRoute": {
    model: HTTPRoute as unknown as ModelClass,
    types: "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute",
  },
  "policy/v1/PodDisruptionBudget": {
    model: PodDisruptionBudget as unknown as ModelClass,
    types: "kubernetes-models/policy/v1/PodDisruptionBudget",
  },
  "monitoring.coreos.com/v1/ServiceMonitor": {
    model: ServiceMonitor as unknown as ModelClass,
    types: "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
  },
  "monitoring.coreos.com/v1/PrometheusRule": {
    model: PrometheusRule as unknown as ModelClass,
    types: "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule",
  },
};

export const hasSchema = (o: K8sObject) => typeKey(o) in MODELS;

/** Validates against the kind's JSON Schema; returns the problems (empty when valid). */
export function schemaProblems(object: K8sObject): string[] {
  const entry = MODELS[typeKey(object)];
  if (!entry) return [`no JSON Schema for ${typeKey(object)}`];
  try {
    new entry.model(object as never).validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

/**
 * Reports fields that the kind's API does not have (a typo such as `readinesProbe` passes the JSON
 * Schemas, which allow unknown properties, but the API server drops or rejects it).
 */
export class StrictFields {
  private readonly checker: ts.TypeChecker;
  private readonly roots = new Map<string, ts.Type>();

  constructor() {
    const kinds = Object.entries(MODELS);
    const file = join(ROOT, "test/deploy/__k8s_types__.ts");
    const source = [
      ...kinds.map(([, { types }], i) => `import type * as M${i} from "${types}";`),
      `export interface Roots {`,
      ...kinds.map(([key, { types }], i) => `  ${JSON.stringify(key)}: M${i}.I${types.split("/").pop()};`),
      `}`,
    ].join("\n");
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, language, ...rest) =>
      name === file ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => name === file || fileExists(name);
    const program = ts.createProgram([file], options, host);
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(file));
    if (diagnostics.length > 0)
      throw new Error(
        diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("\n"),
      );
    this.checker = program.getTypeChecker();
    const module = this.checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
    const roots = this.checker.getDeclaredTypeOfSymbol(
      this.checker.getExportsOfModule(module).find((s) => s.name === "Roots")!,
    );
    for (const [key] of kinds) this.roots.set(key, this.checker.getTypeOfSymbol(roots.getProperty(key)!));
  }

  unknownFields(object: K8sObject): string[] {
    const root = this.roots.get(typeKey(object));
    if (!root) return [];
    const found: string[] = [];
    this.walk(object, root, "", found);
    return found;
  }

  private walk(value: unknown, declared: ts.Type, path: string, found: string[]): void {
    if (value === null || typeof value !== "object") return;
    let type = this.checker.getNonNullableType(declared);
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    if (type.isUnion()) {
      const objects = type.types.filter((t) => t.flags & ts.TypeFlags.Object);
      if (objects.length !== 1) return;
      type = objects[0]!;
    }
    if (Array.isArray(value)) {
      if (!this.checker.isArrayType(type)) return;
      const [element] = this.checker.getTypeArguments(type as ts.TypeReference);
      if (element) value.forEach((item, i) => this.walk(item, element, `${path}[${i}]`, found));
      return;
    }
    const index = this.checker
      .getIndexInfosOfType(type)
      .find((info) => info.keyType.flags & ts.TypeFlags.String);
    const properties = this.checker.getPropertiesOfType(type);
    for (const [key, child] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      const property = properties.find((p) => p.name === key);
      if (property) this.walk(child, this.checker.getTypeOfSymbol(property), at, found);
      else if (index) this.walk(child, index.type, at, found);
      else if (properties.length > 0) found.push(at);
    }
  }
}
