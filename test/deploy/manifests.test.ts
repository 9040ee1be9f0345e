/**
 * The Kubernetes manifests of deploy/k8s, checked offline: every document, and every object the base
 * and the overlays render to, against the Kubernetes JSON Schemas (and strictly, for unknown
 * fields), then the references between objects, the conventions every service follows, the network
 * policies, the routes, and the environment each service needs (validated with the services' own
 * config modules: the example Secrets are refused). Also: docker-compose.yml runs every service.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fromFileVariables } from "@talk/kit";
import { parse } from "yaml";
import {
  SERVICES,
  type ServiceName,
  configOf,
  configProblems,
  containerEnvironment as environmentIn,
  secretValue,
  withRealSecrets,
} from "./environment";
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
import { kustomize } from "./kustomize";

const K8S = join(ROOT, "deploy/k8s");
const BASE = join(K8S, "base");
/** The services with a database of their own. */
const databaseServices: readonly ServiceName[] = [
  "agent-manager",
  "chat-manager",
  "message-manager",
  "file-manager",
];
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
const kustomization = parse(readFileSync(join(BASE, "kustomization.yaml"), "utf8")) as {
  namespace?: string;
  resources: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
};
/** What `kubectl apply -k` applies: the base, and each overlay. */
const asManifests = (objects: K8sObject[], file: string): Manifest[] =>
  objects.map((object, index) => ({ file, index, object }));
const base = asManifests(kustomize(BASE), "deploy/k8s/base (rendered)");
const rendered: Record<"dev" | "production", Manifest[]> = {
  dev: asManifests(kustomize(join(K8S, "overlays/dev")), "deploy/k8s/overlays/dev (rendered)"),
  production: asManifests(
    kustomize(join(K8S, "overlays/production")),
    "deploy/k8s/overlays/production (rendered)",
  ),
};
const dev = rendered.dev;

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

/** A container's environment in an overlay (by default dev, which has the example Secrets). */
const containerEnvironment = (c: any, from: Manifest[] = dev) =>
  environmentIn(
    c,
    from.map((m) => m.object),
  );

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

  const everything = [...manifests, ...base, ...rendered.dev, ...rendered.production];

  it("validates against the Kubernetes JSON Schema of its kind, as written and as rendered", () => {
    const problems = everything
      .filter((m) => hasSchema(m.object))
      .flatMap((m) => schemaProblems(m.object).map((p) => `${where(m)}: ${p}`));
    expect(problems).toEqual([]);
  });

  it("has no field its API does not know (strict)", () => {
    const strict = new StrictFields();
    const problems = everything.flatMap((m) =>
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

describe("deploy/k8s: the base and the overlays", () => {
  it("base lists every manifest beside it (operators/ and monitoring/ are applied on their own)", () => {
    const beside = readdirSync(BASE)
      .filter((f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml")
      .sort();
    expect([...kustomization.resources].sort()).toEqual(beside);
  });

  it("rewrites the image of every Deployment", () => {
    const written = manifests.filter((m) => m.file.startsWith("deploy/k8s/base/"));
    const images = ofKind("Deployment", written).map(
      (d) => String(d.spec.template.spec.containers[0].image).split(":")[0],
    );
    expect(images.sort()).toEqual(SERVICES.map((s) => `talk/${s}`).sort());
    expect((kustomization.images ?? []).map((i) => i.name).sort()).toEqual([...images].sort());
    for (const d of ofKind("Deployment"))
      expect(d.spec.template.spec.containers[0].image).toMatch(/^registry\.example\.com\/talk\/[a-z-]+:/);
  });

  const rendersLikeKubectl = (dir: string, ours: Manifest[]) => {
    const output = execFileSync("kubectl", ["kustomize", join(K8S, dir)], {
      encoding: "utf8",
      timeout: 30_000,
    });
    const docs = output
      .split(/^---$/m)
      .map((d) => parse(d) as K8sObject | null)
      .filter((d): d is K8sObject => !!d);
    const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
    const byKey = (objects: K8sObject[]) =>
      Object.fromEntries(
        objects.map((o) => [key(o), o]).sort(([a], [b]) => String(a).localeCompare(String(b))),
      );
    expect(byKey(ours.map((m) => m.object))).toEqual(byKey(docs));
    for (const d of docs.filter((o) => o.kind === "Deployment"))
      expect(d.spec.template.spec.containers[0].image).toMatch(/^registry\.example\.com\/talk\/[a-z-]+:/);
  };
  for (const [dir, ours] of [
    ["base", base],
    ["overlays/dev", rendered.dev],
    ["overlays/production", rendered.production],
  ] as const)
    itNeeding(["kubectl"])(`${dir} renders with kubectl kustomize as the tests render it`, () =>
      rendersLikeKubectl(dir, ours),
    );

  it("dev adds the example Secrets and ingress-nginx; production a Gateway API route and no Secret", () => {
    const kinds = (from: Manifest[]) => new Set(from.map((m) => m.object.kind));
    expect(kinds(base).has("Secret")).toBe(false);
    expect(
      ofKind("Secret", rendered.dev)
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual([
      "talk-agent-manager-db",
      "talk-chat-manager-db",
      "talk-file-manager-db",
      "talk-jwt",
      "talk-message-manager-db",
      "talk-rabbitmq",
    ]);
    expect(kinds(rendered.dev).has("Ingress")).toBe(true);
    expect(kinds(rendered.dev).has("HTTPRoute")).toBe(false);
    expect(kinds(rendered.production).has("Secret")).toBe(false);
    expect(kinds(rendered.production).has("HTTPRoute")).toBe(true);
    expect(kinds(rendered.production).has("Ingress")).toBe(false);
    for (const service of ["api-gateway", "push"]) {
      expect(find("Deployment", service, rendered.production)!.spec.replicas).toBe(3);
      expect(find("HorizontalPodAutoscaler", service, rendered.production)!.spec.minReplicas).toBe(3);
    }
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
    expect(container(service).image).toMatch(new RegExp(`^registry\\.example\\.com/talk/${service}:`));
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
    // Those that take traffic through their Service let its endpoints drop them first.
    if (service === "push" || service === "api-gateway" || service === "file-manager")
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

  it("gets every variable its config requires, each valid once the Secrets are real, and none it does not read", async () => {
    const spec = await configOf(service);
    const { env, problems, fromSecrets } = containerEnvironment(container(service));
    expect(problems).toEqual([]);
    expect(configProblems(spec, withRealSecrets(env, fromSecrets))).toEqual([]);
    const required = Object.entries(spec)
      .filter(([, rule]) => rule.default === undefined)
      .map(([name]) => name);
    expect(required.filter((name) => !(name in env))).toEqual([]);
    const known = new Set([...Object.keys(spec), ...fromFileVariables(spec)]);
    expect(Object.keys(env).filter((name) => !known.has(name) && !RUNTIME_VARIABLES.has(name))).toEqual([]);
    expect(Number(env.HTTP_PORT ?? 8080)).toBe(8080);
  });

  it("refuses to start with the example Secrets of overlays/dev, naming each", async () => {
    const spec = await configOf(service);
    const { env, fromSecrets } = containerEnvironment(container(service));
    const problems = configProblems(spec, env);
    expect(problems.length).toBe(fromSecrets.length);
    for (const problem of problems) expect(problem).toMatch(/example (value|password)/);
  });

  it("gets its Secrets by name in production, where the cluster provides them", () => {
    const c = (find("Deployment", service, rendered.production)!.spec.template.spec.containers as any[])[0];
    const { fromSecrets, problems } = containerEnvironment(c, rendered.production);
    expect(fromSecrets).toEqual([]);
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem).toMatch(/Secret talk-[a-z-]+ has no key [A-Z_]+/);
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

describe("deploy/k8s: the Ingress (components/ingress-nginx, in overlays/dev)", () => {
  const paths = ofKind("Ingress", dev).flatMap((ingress) =>
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
      const s = find("Service", backend.name, dev);
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
      // a commit is acknowledged once a standby has flushed it (docs/operations.md, Database failover)
      expect(cluster.spec.postgresql.synchronous).toMatchObject({ number: 1 });
      expect(cluster.spec.bootstrap.initdb).toEqual({
        database: expect.any(String),
        owner: expect.any(String),
      });
    }
  });

  it("points RABBITMQ_URL at the example RabbitmqCluster, its vhost and user", () => {
    const url = new URL(secretValue(find("Secret", "talk-rabbitmq", dev)!, "RABBITMQ_URL")!);
    const [rabbit] = crd("RabbitmqCluster");
    const userSecret = find("Secret", crd("User")[0]!.spec.importCredentialsSecret.name, operators)!;
    expect(url.hostname).toBe(`${rabbit!.metadata.name}.${NAMESPACE}.svc`);
    expect(decodeURIComponent(url.pathname.slice(1))).toBe(crd("Vhost")[0]!.spec.name);
    expect(url.username).toBe(secretValue(userSecret, "username"));
    expect(decodeURIComponent(url.password)).toBe(secretValue(userSecret, "password"));
  });

  it("gives the services every node of the example RabbitmqCluster, and quorum queues with a replica on each", () => {
    const [rabbit] = crd("RabbitmqCluster");
    const name = rabbit!.metadata.name;
    const config = find("ConfigMap", "talk-config")!.data;
    const port = Number(
      new URL(secretValue(find("Secret", "talk-rabbitmq", dev)!, "RABBITMQ_URL")!).port || 5672,
    );
    // the operator's StatefulSet <name>-server and headless Service <name>-nodes name each pod
    expect(config.RABBITMQ_NODES.split(",")).toEqual(
      Array.from(
        { length: rabbit!.spec.replicas },
        (_, i) => `${name}-server-${i}.${name}-nodes.${NAMESPACE}.svc:${port}`,
      ),
    );
    expect(config.RABBITMQ_QUEUE_TYPE).toBe("quorum");
    expect(Number(config.RABBITMQ_REPLICAS)).toBe(rabbit!.spec.replicas);
    expect(rabbit!.spec.rabbitmq.additionalConfig).toMatch(
      /^\s*cluster_partition_handling = pause_minority$/m,
    );
  });

  it("points each manager's DATABASE_URL at its own CloudNativePG cluster's primary", () => {
    const managers = databaseServices;
    const databases = new Set<string>();
    for (const manager of managers) {
      // deploy/k8s/README.md patches env/1 to use CloudNativePG's own secret.
      expect(container(manager).env[1].name).toBe("DATABASE_URL");
      const ref = container(manager).env.find((e: any) => e.name === "DATABASE_URL").valueFrom.secretKeyRef;
      const url = new URL(secretValue(find("Secret", ref.name, dev)!, ref.key)!);
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

  /** The environment `docker compose` gives a service, with `set` as the shell's variables. */
  const composeEnvironment = (service: ServiceName, set: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(compose.services[service]!.environment ?? {}).map(([k, v]) => [
        k,
        String(v)
          .replace(/\$\{([A-Z_]+):-([^}]*)\}/g, (_, name: string, fallback: string) => set[name] ?? fallback)
          .replace(/\$\{([A-Z_]+):\?[^}]*\}/g, (_, name: string) => set[name] ?? ""),
      ]),
    );

  it("gives every service the environment its config requires, once JWT_SECRET is set", async () => {
    const shell = { JWT_SECRET: randomBytes(48).toString("base64") };
    for (const service of SERVICES)
      expect([service, configProblems(await configOf(service), composeEnvironment(service, shell))]).toEqual([
        service,
        [],
      ]);
  });

  it("has no default JWT_SECRET: compose refuses to start without one, saying how to make it", () => {
    for (const service of ["api-gateway", "push", "file-manager"] as const) {
      const value = String(compose.services[service]!.environment?.JWT_SECRET);
      expect(value).toMatch(/^\$\{JWT_SECRET:\?[^}]*openssl rand -base64 48[^}]*\}$/);
    }
  });
});

describe("deploy/k8s: network policies", () => {
  const policies = ofKind("NetworkPolicy");
  const podsOf = (service: ServiceName) => deployment(service).spec.template.metadata.labels;
  const selecting = (service: ServiceName) =>
    policies.filter((p) => selects(p.spec.podSelector.matchLabels, podsOf(service)));
  const portsOf = (rule: any) => (rule.ports ?? []).map((p: any) => p.port);

  it.each(SERVICES)("%s: denied by default, in and out", (service) => {
    const deny = selecting(service).find(
      (p) => !p.spec.ingress && !p.spec.egress && p.spec.policyTypes.includes("Ingress"),
    );
    expect(deny?.spec.policyTypes.sort()).toEqual(["Egress", "Ingress"]);
  });

  it.each(SERVICES)("%s: has a policy of its own, and is scraped on its http port", (service) => {
    const own = selecting(service).filter(
      (p) => p.spec.podSelector.matchLabels["app.kubernetes.io/name"] === service,
    );
    expect(own).toHaveLength(1);
    const ingress = selecting(service).flatMap((p) => p.spec.ingress ?? []);
    const scrape = ingress.filter((r: any) =>
      r.from.some((f: any) => f.namespaceSelector?.matchLabels?.["talk/scrape"] === "allowed"),
    );
    expect(scrape.flatMap(portsOf)).toEqual(["http"]);
  });

  it("lets the ingress reach only the gateway and push", () => {
    const reachable = SERVICES.filter((service) =>
      selecting(service)
        .flatMap((p) => p.spec.ingress ?? [])
        .some((r: any) =>
          r.from.some((f: any) => f.namespaceSelector?.matchLabels?.["talk/ingress"] === "allowed"),
        ),
    );
    expect(reachable.sort()).toEqual(["api-gateway", "push"]);
  });

  /** Talk services reached over HTTP besides the broker: the gateway streams files to file-manager. */
  const calls: Partial<Record<ServiceName, ServiceName[]>> = { "api-gateway": ["file-manager"] };

  it("lets only the gateway's pods reach file-manager's byte path, on its http port", () => {
    const ingress = selecting("file-manager").flatMap((p) => p.spec.ingress ?? []);
    const fromPods = ingress.filter((r: any) => r.from.some((f: any) => f.podSelector));
    expect(fromPods).toHaveLength(1);
    const selected = SERVICES.filter((service) =>
      fromPods[0].from.some((f: any) => selects(f.podSelector?.matchLabels, podsOf(service))),
    );
    expect(selected).toEqual(["api-gateway"]);
    expect(portsOf(fromPods[0])).toEqual(["http"]);
    // the gateway is pointed at file-manager's Service, whose port reaches that container port
    const urls = containerEnvironment(container("api-gateway")).env.FILE_MANAGER_URLS!.split(",");
    const service = find("Service", "file-manager")!;
    for (const url of urls) {
      const target = new URL(url);
      expect(target.hostname.split(".")[0]).toBe("file-manager");
      const port = service.spec.ports.find((p: any) => p.port === Number(target.port || 80));
      expect(port?.targetPort).toBe("http");
    }
  });

  it.each(SERVICES)(
    "%s: reaches DNS, the broker, (a manager) its own database and the services it calls, nothing else",
    (service) => {
      const egress = selecting(service).flatMap((p) => p.spec.egress ?? []);
      const targets = egress.map((rule: any) => {
        const to = rule.to[0];
        if (to.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "kube-system")
          return "dns";
        if (to.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "talk-rabbitmq") return "broker";
        if (to.podSelector?.matchLabels?.["cnpg.io/cluster"])
          return `db:${to.podSelector.matchLabels["cnpg.io/cluster"]}`;
        const callee = to.podSelector?.matchLabels?.["app.kubernetes.io/name"];
        if (callee && SERVICES.includes(callee) && JSON.stringify(portsOf(rule)) === '["http"]')
          return `service:${callee}`;
        return JSON.stringify(rule);
      });
      const manager = databaseServices.includes(service);
      const expected = [
        "broker",
        "dns",
        ...(manager ? [`db:talk-${service}-db`] : []),
        ...(calls[service] ?? []).map((callee) => `service:${callee}`),
      ];
      expect(targets.sort()).toEqual(expected.sort());
      const broker = egress.find(
        (r: any) => r.to[0].podSelector?.matchLabels?.["app.kubernetes.io/name"] === "talk-rabbitmq",
      );
      const url = new URL(containerEnvironment(container(service)).env.RABBITMQ_URL!);
      expect(portsOf(broker)).toContain(Number(url.port || 5672));
    },
  );

  it("points each manager's database rule at the cluster its DATABASE_URL names", () => {
    for (const service of databaseServices) {
      const url = new URL(containerEnvironment(container(service)).env.DATABASE_URL!);
      const cluster = url.hostname.replace(/-rw\..*$/, "");
      const rule = selecting(service)
        .flatMap((p) => p.spec.egress ?? [])
        .find((r: any) => r.to[0].podSelector?.matchLabels?.["cnpg.io/cluster"]);
      expect(rule.to[0].podSelector.matchLabels["cnpg.io/cluster"]).toBe(cluster);
      expect(portsOf(rule)).toEqual([Number(url.port || 5432)]);
    }
  });
});

describe("deploy/k8s: the Gateway API route (components/gateway-api, in overlays/production)", () => {
  const production = rendered.production;
  const [route] = ofKind("HTTPRoute", production);
  const rules = (route?.spec.rules ?? []) as any[];
  const ruleFor = (prefix: string) => rules.find((r) => r.matches[0].path.value === prefix);

  it("routes /v1.0/ws to push and everything else to the gateway, on one host, through the Gateway", () => {
    expect(rules.map((r) => [r.matches[0].path.value, r.backendRefs[0].name]).sort()).toEqual([
      ["/", "api-gateway"],
      ["/v1.0/ws", "push"],
    ]);
    for (const r of rules) expect(r.matches[0].path.type).toBe("PathPrefix");
    const [gateway] = ofKind("Gateway", production);
    expect(route!.spec.parentRefs).toEqual([{ name: gateway!.metadata.name, sectionName: "https" }]);
    const listener = gateway!.spec.listeners.find((l: any) => l.name === "https");
    expect(route!.spec.hostnames).toEqual([listener.hostname]);
  });

  it("points every backend at an existing Service port; push's says it carries WebSockets", () => {
    for (const r of rules) {
      const s = find("Service", r.backendRefs[0].name, production)!;
      expect(s.spec.ports.map((p: any) => p.port)).toContain(r.backendRefs[0].port);
    }
    expect(find("Service", "push", production)!.spec.ports[0].appProtocol).toBe("kubernetes.io/ws");
  });

  it("never times out a WebSocket; the API keeps a request timeout above the RPC timeout", () => {
    expect(ruleFor("/v1.0/ws").timeouts.request).toBe("0s");
    const api = ruleFor("/").timeouts.request as string;
    const rpcMs = Number(containerEnvironment(container("api-gateway"), production).env.RPC_TIMEOUT_MS);
    expect(Number(api.replace(/s$/, "")) * 1000).toBeGreaterThan(rpcMs);
  });
});
