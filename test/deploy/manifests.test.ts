/**
 * The Kubernetes manifests of deploy/k8s, checked offline: every document against the Kubernetes
 * JSON Schemas (and strictly, for unknown fields), then the references between objects, the
 * conventions every service follows, and the environment each service needs (validated with the
 * services' own config modules). Also: docker-compose.yml runs every service.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { configSpec } from "@talk/host";
import { type ConfigSpec, ConfigError, loadConfig } from "@talk/kit";
import { parse } from "yaml";
import {
  type K8sObject,
  type Manifest,
  ROOT,
  StrictFields,
  hasSchema,
  loadManifests,
  schemaProblems,
  typeKey,
  where,
} from "./k8s";
import { itNeeding } from "@talk/testkit";

const K8S = join(ROOT, "deploy/k8s");
const SERVICES = ["api-gateway", "agent-manager", "chat-manager", "message-manager", "push"] as const;
type ServiceName = (typeof SERVICES)[number];
const NAMESPACE = "talk";
/** runMain's deadline for a graceful stop (packages/kit/src/lifecycle.ts). */
const GRACEFUL_STOP_SECONDS = 20;
/** Variables read by Node.js itself rather than by a config module. */
const RUNTIME_VARIABLES = new Set(["NODE_ENV", "NODE_OPTIONS", "UV_THREADPOOL_SIZE"]);

/** Operator resources shipped as examples under operators/: no schema is shipped offline for them. */
const OPERATOR_KINDS = new Set([
  "rabbitmq.com/v1beta1/RabbitmqCluster",
  "rabbitmq.com/v1beta1/Vhost",
  "rabbitmq.com/v1beta1/User",
  "rabbitmq.com/v1beta1/Permission",
  "postgresql.cnpg.io/v1/Cluster",
]);

const manifests = loadManifests(K8S);
const kustomization = parse(readFileSync(join(K8S, "kustomization.yaml"), "utf8")) as {
  namespace?: string;
  resources: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
};
/** What `kubectl apply -k deploy/k8s` applies. */
const base = manifests.filter((m) => kustomization.resources.includes(m.file.replace(/^deploy\/k8s\//, "")));

const ofKind = (kind: string, from: Manifest[] = base) =>
  from.filter((m) => m.object.kind === kind).map((m) => m.object);
const find = (kind: string, name: string, from: Manifest[] = base) =>
  ofKind(kind, from).find((o) => o.metadata.name === name);
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const deployment = (service: ServiceName) => find("Deployment", service)!;
const podSpec = (service: ServiceName) => deployment(service).spec.template.spec;
const container = (service: ServiceName) =>
  (podSpec(service).containers as K8sObject[]).find((c) => c.name === service) as any;

/** The value of a Secret key, from stringData or (base64) data. */
function secretValue(secret: K8sObject, key: string): string | undefined {
  if (secret.stringData?.[key] !== undefined) return String(secret.stringData[key]);
  if (secret.data?.[key] !== undefined)
    return Buffer.from(String(secret.data[key]), "base64").toString("utf8");
  return undefined;
}

/** The environment a container gets, with every reference resolved; unresolved ones are reported. */
function containerEnvironment(c: any): { env: Record<string, string>; problems: string[] } {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const source of c.envFrom ?? []) {
    if (source.configMapRef) {
      const cm = find("ConfigMap", source.configMapRef.name);
      if (!cm) problems.push(`envFrom configMapRef ${source.configMapRef.name} does not exist`);
      else Object.assign(env, cm.data ?? {});
    } else if (source.secretRef) {
      const secret = find("Secret", source.secretRef.name);
      if (!secret) problems.push(`envFrom secretRef ${source.secretRef.name} does not exist`);
      else
        for (const key of Object.keys({ ...secret.data, ...secret.stringData }))
          env[key] = secretValue(secret, key)!;
    }
  }
  for (const variable of c.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = String(variable.value);
    const { configMapKeyRef, secretKeyRef } = variable.valueFrom ?? {};
    if (configMapKeyRef) {
      const value = find("ConfigMap", configMapKeyRef.name)?.data?.[configMapKeyRef.key];
      if (value === undefined)
        problems.push(
          `${variable.name}: ConfigMap ${configMapKeyRef.name} has no key ${configMapKeyRef.key}`,
        );
      else env[variable.name] = String(value);
    }
    if (secretKeyRef) {
      const secret = find("Secret", secretKeyRef.name);
      const value = secret && secretValue(secret, secretKeyRef.key);
      if (value === undefined)
        problems.push(`${variable.name}: Secret ${secretKeyRef.name} has no key ${secretKeyRef.key}`);
      else env[variable.name] = value;
    }
  }
  return { env, problems };
}

/** The variables each service reads at start: its definition's, as @talk/host loads them. */
async function configOf(service: ServiceName): Promise<ConfigSpec> {
  const module = (await import(join(ROOT, "services", service, "src", "app.ts"))) as {
    service: Parameters<typeof configSpec>[0];
  };
  return configSpec(module.service);
}

/** Checks an environment with the service's own validation; returns its problems. */
function configProblems(spec: ConfigSpec, env: Record<string, string>): string[] {
  try {
    const config = loadConfig(spec, env) as Record<string, unknown>;
    const secret = config.JWT_SECRET;
    return typeof secret === "string" && secret.length < 32
      ? ["JWT_SECRET must be at least 32 characters"]
      : [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const preStopSeconds = (c: any): number => {
  const command: string[] = c.lifecycle?.preStop?.exec?.command ?? [];
  if (command[0] === "sleep") return Number(command[1]);
  return Number(c.lifecycle?.preStop?.sleep?.seconds ?? 0);
};

describe("deploy/k8s: every document", () => {
  it("is a Kubernetes object (apiVersion, kind, metadata.name)", () => {
    expect(manifests.length).toBeGreaterThan(20);
    const bad = manifests.filter(
      (m) =>
        typeof m.object !== "object" ||
        typeof m.object.apiVersion !== "string" ||
        typeof m.object.kind !== "string" ||
        typeof m.object.metadata?.name !== "string",
    );
    expect(bad.map(where)).toEqual([]);
  });

  it("is of a kind whose JSON Schema ships with the test (or an operator example under operators/)", () => {
    const unknown = manifests.filter(
      (m) =>
        !hasSchema(m.object) &&
        !(OPERATOR_KINDS.has(typeKey(m.object)) && m.file.startsWith("deploy/k8s/operators/")),
    );
    expect(unknown.map(where)).toEqual([]);
  });

  it("validates against the Kubernetes JSON Schema of its kind", () => {
    const problems = manifests
      .filter((m) => hasSchema(m.object))
      .flatMap((m) => schemaProblems(m.object).map((p) => `${where(m)}: ${p}`));
    expect(problems).toEqual([]);
  });

  it("has no field its API does not know (strict)", () => {
    const strict = new StrictFields();
    const problems = manifests.flatMap((m) =>
      strict.unknownFields(m.object).map((f) => `${where(m)}: unknown field ${f}`),
    );
    expect(problems).toEqual([]);
    // The strict pass does see typos.
    const typo = structuredClone(find("Deployment", "api-gateway")!);
    typo.spec.template.spec.containers[0].readinesProbe = {};
    expect(strict.unknownFields(typo)).toEqual(["spec.template.spec.containers[0].readinesProbe"]);
  });

  it("is unique by kind and name, and lives in the talk namespace", () => {
    const keys = manifests.map(
      (m) => `${typeKey(m.object)}/${m.object.metadata.namespace ?? ""}/${m.object.metadata.name}`,
    );
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    const elsewhere = manifests.filter(
      (m) => m.object.kind !== "Namespace" && m.object.metadata.namespace !== NAMESPACE,
    );
    expect(elsewhere.map(where)).toEqual([]);
    expect(kustomization.namespace).toBe(NAMESPACE);
    expect(find("Namespace", NAMESPACE)?.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe(
      "restricted",
    );
  });
});

describe("deploy/k8s/kustomization.yaml", () => {
  it("lists every manifest beside it (operators/ and monitoring/ are applied on their own)", () => {
    const beside = readdirSync(K8S)
      .filter((f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml")
      .sort();
    expect([...kustomization.resources].sort()).toEqual(beside);
  });

  it("rewrites the image of every Deployment", () => {
    const images = ofKind("Deployment").map(
      (d) => String(d.spec.template.spec.containers[0].image).split(":")[0],
    );
    expect(images.sort()).toEqual(SERVICES.map((s) => `talk/${s}`).sort());
    expect((kustomization.images ?? []).map((i) => i.name).sort()).toEqual([...images].sort());
  });

  itNeeding(["kubectl"])("renders with kubectl kustomize (when kubectl is installed)", () => {
    const rendered = execFileSync("kubectl", ["kustomize", K8S], { encoding: "utf8", timeout: 30_000 });
    const docs = rendered
      .split(/^---$/m)
      .map((d) => parse(d) as K8sObject | null)
      .filter((d): d is K8sObject => !!d);
    const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
    expect(docs.map(key).sort()).toEqual(base.map((m) => key(m.object)).sort());
    for (const d of docs.filter((o) => o.kind === "Deployment"))
      expect(d.spec.template.spec.containers[0].image).toMatch(/^registry\.example\.com\/talk\/[a-z-]+:/);
  });
});

describe.each(SERVICES)("deploy/k8s: %s", (service) => {
  it("has a Deployment of at least 2 replicas whose selector matches its pods", () => {
    const d = deployment(service);
    expect(d).toBeDefined();
    expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(selects(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
    expect(d.spec.template.metadata.labels).toMatchObject({
      "app.kubernetes.io/name": service,
      "app.kubernetes.io/part-of": "talk",
    });
    expect(container(service)).toBeDefined();
    expect(container(service).image).toMatch(new RegExp(`^talk/${service}:`));
  });

  it("probes /readyz (readiness) and /healthz (liveness, startup) on port 8080", () => {
    const c = container(service);
    const port = (probe: any) => {
      const p = probe.httpGet.port;
      return typeof p === "number" ? p : c.ports.find((cp: any) => cp.name === p)?.containerPort;
    };
    expect(c.readinessProbe.httpGet.path).toBe("/readyz");
    expect(c.livenessProbe.httpGet.path).toBe("/healthz");
    expect(c.startupProbe.httpGet.path).toBe("/healthz");
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) expect(port(probe)).toBe(8080);
  });

  it("has resource requests and limits, and runs as non-root with a read-only root filesystem", () => {
    const c = container(service);
    for (const part of ["requests", "limits"]) {
      expect(c.resources[part].cpu).toBeDefined();
      expect(c.resources[part].memory).toBeDefined();
    }
    const pod = podSpec(service);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    // The image's user is `node` (by name): runAsNonRoot needs a numeric user to verify.
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(pod.securityContext.seccompProfile.type).toBe("RuntimeDefault");
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    // A writable scratch folder beside the read-only root filesystem.
    const tmp = c.volumeMounts.find((m: any) => m.mountPath === "/tmp");
    expect(pod.volumes.find((v: any) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it("gives the graceful stop (20 s, after preStop) time before SIGKILL", () => {
    const grace = podSpec(service).terminationGracePeriodSeconds;
    expect(grace).toBeGreaterThan(preStopSeconds(container(service)) + GRACEFUL_STOP_SECONDS);
    if (service === "push" || service === "api-gateway")
      expect(preStopSeconds(container(service))).toBeGreaterThan(0);
  });

  it("has a Service that selects exactly its pods, on a port the container exposes", () => {
    const s = find("Service", service)!;
    expect(s).toBeDefined();
    const pods = ofKind("Deployment").filter((d) =>
      selects(s.spec.selector, d.spec.template.metadata.labels),
    );
    expect(pods.map((d) => d.metadata.name)).toEqual([service]);
    const ports = container(service).ports.map((p: any) => p.name);
    for (const p of s.spec.ports) expect(ports).toContain(p.targetPort);
  });

  it("has a PodDisruptionBudget and a HorizontalPodAutoscaler on its Deployment", () => {
    const d = deployment(service);
    const pdbs = ofKind("PodDisruptionBudget").filter((p) =>
      selects(p.spec.selector.matchLabels, d.spec.template.metadata.labels),
    );
    expect(pdbs).toHaveLength(1);
    const pdb = pdbs[0]!;
    const hpa = ofKind("HorizontalPodAutoscaler").find((h) => h.spec.scaleTargetRef.name === service)!;
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: service });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    // The budget must let a drain evict one pod at the minimum scale.
    if (pdb.spec.minAvailable !== undefined) expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
    else expect(pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
    // Utilization targets are relative to requests.
    for (const metric of hpa.spec.metrics.filter((m: any) => m.type === "Resource"))
      expect(container(service).resources.requests[metric.resource.name]).toBeDefined();
  });

  it("gets every variable its config requires, each valid, and none it does not read", async () => {
    const spec = await configOf(service);
    const { env, problems } = containerEnvironment(container(service));
    expect(problems).toEqual([]);
    expect(configProblems(spec, env)).toEqual([]);
    const required = Object.entries(spec)
      .filter(([, rule]) => rule.default === undefined)
      .map(([name]) => name);
    expect(required.filter((name) => !(name in env))).toEqual([]);
    expect(Object.keys(env).filter((name) => !(name in spec) && !RUNTIME_VARIABLES.has(name))).toEqual([]);
    expect(Number(env.HTTP_PORT ?? 8080)).toBe(8080);
  });

  it("is scraped by Prometheus on /metrics", () => {
    const annotations = deployment(service).spec.template.metadata.annotations;
    expect(annotations).toMatchObject({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "8080",
      "prometheus.io/path": "/metrics",
    });
    const monitors = ofKind("ServiceMonitor", manifests);
    expect(
      monitors.some((m) => selects(m.spec.selector.matchLabels, find("Service", service)!.metadata.labels)),
    ).toBe(true);
  });
});

describe("deploy/k8s: the Ingress", () => {
  const paths = ofKind("Ingress").flatMap((ingress) =>
    ingress.spec.rules.flatMap((rule: any) =>
      rule.http.paths.map((p: any) => ({
        ingress,
        host: rule.host as string,
        path: p.path as string,
        backend: p.backend.service,
      })),
    ),
  );

  it("routes /v1.0/ws to push and everything else to the gateway, on one host", () => {
    expect(paths.map((p) => [p.path, p.backend.name]).sort()).toEqual([
      ["/", "api-gateway"],
      ["/v1.0/ws", "push"],
    ]);
    expect(new Set(paths.map((p) => p.host)).size).toBe(1);
  });

  it("points every backend at an existing Service port", () => {
    for (const { backend } of paths) {
      const s = find("Service", backend.name);
      expect(s).toBeDefined();
      expect(
        s!.spec.ports.some((p: any) => p.name === backend.port.name || p.port === backend.port.number),
      ).toBe(true);
    }
  });

  it("keeps WebSockets open for an hour (ingress-nginx timeouts), and only them", () => {
    const ws = paths.find((p) => p.path === "/v1.0/ws")!.ingress.metadata.annotations ?? {};
    expect(Number(ws["nginx.ingress.kubernetes.io/proxy-read-timeout"])).toBeGreaterThanOrEqual(3600);
    expect(Number(ws["nginx.ingress.kubernetes.io/proxy-send-timeout"])).toBeGreaterThanOrEqual(3600);
    const api = paths.find((p) => p.path === "/")!.ingress.metadata.annotations ?? {};
    expect(Number(api["nginx.ingress.kubernetes.io/proxy-read-timeout"] ?? 60)).toBeLessThan(3600);
    for (const { ingress } of paths) expect(ingress.spec.ingressClassName).toBe("nginx");
    // push pings every WS_HEARTBEAT_SECONDS: a live socket is never idle for the read timeout.
    const heartbeat = Number(containerEnvironment(container("push")).env.WS_HEARTBEAT_SECONDS ?? 30);
    expect(heartbeat * 2).toBeLessThan(Number(ws["nginx.ingress.kubernetes.io/proxy-read-timeout"]));
  });
});

describe("deploy/k8s: secrets and the operator examples", () => {
  it("marks every example secret value as one to replace", () => {
    const secrets = manifests.filter((m) => m.object.kind === "Secret");
    const unmarked = secrets.flatMap((m) =>
      Object.entries(m.object.stringData ?? {})
        .filter(([key, value]) => key !== "username" && !/replace-me/i.test(String(value)))
        .map(([key]) => `${where(m)} ${key}`),
    );
    expect(secrets.length).toBeGreaterThan(0);
    expect(unmarked).toEqual([]);
    expect(secrets.every((m) => m.object.data === undefined)).toBe(true);
  });

  const operators = manifests.filter((m) => m.file.startsWith("deploy/k8s/operators/"));
  const crd = (kind: string) => ofKind(kind, operators);

  it("has operator examples with the fields their operators require", () => {
    const [rabbit] = crd("RabbitmqCluster");
    expect(rabbit?.spec.replicas).toBeGreaterThanOrEqual(3);
    for (const o of [...crd("Vhost"), ...crd("User"), ...crd("Permission")])
      expect(o.spec.rabbitmqClusterReference.name).toBe(rabbit!.metadata.name);
    const [vhost] = crd("Vhost");
    expect(vhost?.spec).toMatchObject({ name: expect.any(String), defaultQueueType: "quorum" });
    const [user] = crd("User");
    expect(find("Secret", user!.spec.importCredentialsSecret.name, operators)).toBeDefined();
    const [permission] = crd("Permission");
    expect(permission!.spec.vhost).toBe(vhost!.spec.name);
    expect(permission!.spec.userReference.name).toBe(user!.metadata.name);
    expect(Object.keys(permission!.spec.permissions).sort()).toEqual(["configure", "read", "write"]);
    for (const cluster of crd("Cluster")) {
      expect(cluster.spec.instances).toBeGreaterThanOrEqual(2);
      expect(cluster.spec.bootstrap.initdb).toEqual({
        database: expect.any(String),
        owner: expect.any(String),
      });
    }
  });

  it("points RABBITMQ_URL at the example RabbitmqCluster, its vhost and user", () => {
    const url = new URL(secretValue(find("Secret", "talk-rabbitmq")!, "RABBITMQ_URL")!);
    const [rabbit] = crd("RabbitmqCluster");
    const userSecret = find("Secret", crd("User")[0]!.spec.importCredentialsSecret.name, operators)!;
    expect(url.hostname).toBe(`${rabbit!.metadata.name}.${NAMESPACE}.svc`);
    expect(decodeURIComponent(url.pathname.slice(1))).toBe(crd("Vhost")[0]!.spec.name);
    expect(url.username).toBe(secretValue(userSecret, "username"));
    expect(decodeURIComponent(url.password)).toBe(secretValue(userSecret, "password"));
  });

  it("points each manager's DATABASE_URL at its own CloudNativePG cluster's primary", () => {
    const managers = ["agent-manager", "chat-manager", "message-manager"] as const;
    const databases = new Set<string>();
    for (const manager of managers) {
      // deploy/k8s/README.md patches env/1 to use CloudNativePG's own secret.
      expect(container(manager).env[1].name).toBe("DATABASE_URL");
      const ref = container(manager).env.find((e: any) => e.name === "DATABASE_URL").valueFrom.secretKeyRef;
      const url = new URL(secretValue(find("Secret", ref.name)!, ref.key)!);
      const cluster = crd("Cluster").find((c) => `${c.metadata.name}-rw.${NAMESPACE}.svc` === url.hostname);
      expect(cluster).toBeDefined();
      expect(url.pathname.slice(1)).toBe(cluster!.spec.bootstrap.initdb.database);
      expect(url.username).toBe(cluster!.spec.bootstrap.initdb.owner);
      databases.add(cluster!.metadata.name);
    }
    expect(databases.size).toBe(managers.length); // one database per manager
  });
});

describe("docker-compose.yml", () => {
  const compose = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8"), { merge: true }) as {
    services: Record<
      string,
      { build?: { context?: string; args?: Record<string, string> }; environment?: Record<string, string> }
    >;
  };

  it("runs every service of the Kubernetes base, each built from the one Dockerfile with its SERVICE", () => {
    for (const service of SERVICES) {
      expect(compose.services[service]).toBeDefined();
      expect(compose.services[service]!.build).toEqual({ context: ".", args: { SERVICE: service } });
    }
  });

  it("gives every service the environment its config requires", async () => {
    for (const service of SERVICES) {
      // ${VAR:-default} takes its default, as `docker compose` does with VAR unset.
      const env = Object.fromEntries(
        Object.entries(compose.services[service]!.environment ?? {}).map(([k, v]) => [
          k,
          String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1"),
        ]),
      );
      expect([service, configProblems(await configOf(service), env)]).toEqual([service, []]);
    }
  });
});
