/**
 * The Helm chart deploy/helm/talk, rendered offline as `helm template` renders it (./helm.ts: Go's
 * own template engine; the chart uses only Go's built-in functions, and no key the values do not
 * have) with the default values and with every option on, and checked like the kustomize base:
 * each object against the Kubernetes JSON Schemas (strictly), the same objects as deploy/k8s/base by
 * default, every value taking effect, and the services' own config validation of what the pods get —
 * which refuses example secrets.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import {
  SERVICES,
  type ServiceName,
  configOf,
  configProblems,
  containerEnvironment,
  withRealSecrets,
} from "./environment";
import { CHART, chartYaml, defaultValues, helmTemplate, mergeValues } from "./helm";
import { type K8sObject, ROOT, StrictFields, hasSchema, schemaProblems, typeKey } from "./k8s";
import { kustomize } from "./kustomize";

const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const containerOf = (objects: K8sObject[], service: string) =>
  find(objects, "Deployment", service)!.spec.template.spec.containers[0];
const goodSecret = () => randomBytes(48).toString("base64");

const EVERYTHING = {
  gatewayApi: { enabled: true },
  tracing: {
    otlpEndpoint: "http://otel-collector.observability:4318",
    sampler: "parentbased_traceidratio",
    samplerArg: "0.1",
  },
  ingress: { enabled: true },
  serviceMonitor: { enabled: true },
  prometheusRule: { enabled: true },
  secrets: {
    create: true,
    jwt: { previousKey: "JWT_SECRET_PREVIOUS" },
    values: {
      jwtSecret: goodSecret(),
      jwtSecretPrevious: goodSecret(),
      rabbitmqUrl: `amqp://talk:${randomBytes(16).toString("hex")}@rabbitmq.example.net:5672/talk`,
      databaseUrls: Object.fromEntries(
        ["agent-manager", "chat-manager", "message-manager", "file-manager"].map((s) => [
          s,
          `postgres://${s.replace("-", "_")}:${randomBytes(16).toString("hex")}@db.example.net:5432/${s.replace("-", "_")}`,
        ]),
      ),
    },
  },
};

const defaults = helmTemplate();
const everything = helmTemplate(EVERYTHING);

describe("deploy/helm/talk: the chart", () => {
  it("is a Helm 3 application chart with a semantic version", () => {
    const chart = chartYaml();
    expect(chart).toMatchObject({ apiVersion: "v2", name: "talk" });
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("uses only Go's built-in template functions (no Sprig), so what the tests render is what Helm renders", () => {
    const templates = ["_helpers.tpl", "config.yaml", "network-policies.yaml", "routes.yaml", "secrets.yaml"]
      .concat(["servicemonitor.yaml", "prometheusrule.yaml", "services.yaml"])
      .map((f) => readFileSync(join(CHART, "templates", f), "utf8"))
      .join("\n");
    for (const sprig of ["toYaml", "nindent", "include", "quote", "default", "required", "tpl", "dict"])
      expect([sprig, new RegExp(`[{(|]\\s*${sprig}\\b`).test(templates)]).toEqual([sprig, false]);
  });

  it.each([
    ["the default values", defaults],
    ["every option on", everything],
  ])("renders with %s to objects valid against their Kubernetes schemas, strictly", (_, objects) => {
    const strict = new StrictFields();
    expect(objects.filter((o) => !hasSchema(o)).map(typeKey)).toEqual([]);
    expect(
      objects.flatMap((o) => schemaProblems(o).map((p) => `${o.kind}/${o.metadata.name}: ${p}`)),
    ).toEqual([]);
    expect(
      objects.flatMap((o) => strict.unknownFields(o).map((f) => `${o.kind}/${o.metadata.name}: ${f}`)),
    ).toEqual([]);
    const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    expect(objects.every((o) => o.metadata.namespace === "talk")).toBe(true);
  });

  it("puts everything in the release's namespace", () => {
    const objects = helmTemplate({}, { namespace: "chat" });
    expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(new Set(["chat"]));
  });
});

describe("deploy/helm/talk: by default, the objects of the kustomize base", () => {
  const base = kustomize(join(ROOT, "deploy/k8s/base"));
  const comparable = [
    "Deployment",
    "Service",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "NetworkPolicy",
  ];

  it("renders the base's Deployments, Services, PDBs, HPAs, NetworkPolicies and ConfigMaps, and nothing else", () => {
    const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
    expect(defaults.map(key).sort()).toEqual(
      base
        .filter((o) => o.kind !== "Namespace")
        .map(key)
        .sort(),
    );
  });

  it.each(comparable)("every %s has the same spec as the base's", (kind) => {
    for (const object of ofKind(base, kind)) {
      const ours = find(defaults, kind, object.metadata.name)!;
      const spec = structuredClone(ours.spec);
      // The chart also labels pods with the release (not part of any selector).
      if (kind === "Deployment") delete spec.template.metadata.labels["app.kubernetes.io/instance"];
      expect([object.metadata.name, spec]).toEqual([object.metadata.name, object.spec]);
    }
  });

  it("every ConfigMap has the same data as the base's", () => {
    for (const object of ofKind(base, "ConfigMap"))
      expect(find(defaults, "ConfigMap", object.metadata.name)!.data).toEqual(object.data);
  });

  it("creates no Secret and references the base's Secrets by the same names and keys", () => {
    expect(ofKind(defaults, "Secret")).toEqual([]);
    for (const service of SERVICES)
      expect(containerOf(defaults, service).env).toEqual(containerOf(base, service).env);
  });
});

describe("deploy/helm/talk: values", () => {
  it("set replicas, resources and autoscaling per service", () => {
    const objects = helmTemplate({
      services: {
        push: {
          replicas: 4,
          resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: 2, memory: "2Gi" } },
          autoscaling: { minReplicas: 4, maxReplicas: 20 },
        },
        "chat-manager": { autoscaling: { enabled: false } },
      },
    });
    expect(find(objects, "Deployment", "push")!.spec.replicas).toBe(4);
    expect(containerOf(objects, "push").resources).toEqual({
      requests: { cpu: "500m", memory: "1Gi" },
      limits: { cpu: "2", memory: "2Gi" },
    });
    expect(find(objects, "HorizontalPodAutoscaler", "push")!.spec).toMatchObject({
      minReplicas: 4,
      maxReplicas: 20,
    });
    expect(find(objects, "HorizontalPodAutoscaler", "chat-manager")).toBeUndefined();
    expect(find(objects, "Deployment", "chat-manager")).toBeDefined();
  });

  it("set the broker's queue type, replicas and node list, and leave the list out when it is empty", () => {
    const nodes = "rabbit-a.example.net:5672,rabbit-b.example.net:5672,rabbit-c.example.net:5672";
    const listed = helmTemplate({ config: { rabbitmqReplicas: 5, rabbitmqNodes: nodes } });
    expect(find(listed, "ConfigMap", "talk-config")!.data).toMatchObject({
      RABBITMQ_QUEUE_TYPE: "quorum",
      RABBITMQ_REPLICAS: "5",
      RABBITMQ_NODES: nodes,
    });
    const single = helmTemplate({ config: { rabbitmqNodes: "" } });
    expect(find(single, "ConfigMap", "talk-config")!.data.RABBITMQ_NODES).toBeUndefined();
  });

  it("take the images from one registry and tag", () => {
    const objects = helmTemplate({ image: { registry: "ghcr.io/acme/talk", tag: "1.2.3" } });
    for (const service of SERVICES)
      expect(containerOf(objects, service).image).toBe(`ghcr.io/acme/talk/${service}:1.2.3`);
  });

  it("reference existing Secrets by the names and keys given", () => {
    const objects = helmTemplate({
      secrets: {
        jwt: { name: "vault-jwt", key: "current", previousKey: "previous" },
        rabbitmq: { name: "vault-amqp", key: "url" },
        databases: { "chat-manager": { name: "chat-db-app", key: "uri" } },
      },
    });
    const gateway = containerOf(objects, "api-gateway").env;
    expect(gateway).toContainEqual({
      name: "JWT_SECRET",
      valueFrom: { secretKeyRef: { name: "vault-jwt", key: "current" } },
    });
    expect(gateway).toContainEqual({
      name: "JWT_SECRET_PREVIOUS",
      valueFrom: { secretKeyRef: { name: "vault-jwt", key: "previous" } },
    });
    expect(containerOf(objects, "push").env.map((e: any) => e.name)).toContain("JWT_SECRET_PREVIOUS");
    expect(containerOf(objects, "chat-manager").env).toContainEqual({
      name: "DATABASE_URL",
      valueFrom: { secretKeyRef: { name: "chat-db-app", key: "uri" } },
    });
    expect(containerOf(objects, "agent-manager").env).toContainEqual({
      name: "RABBITMQ_URL",
      valueFrom: { secretKeyRef: { name: "vault-amqp", key: "url" } },
    });
  });

  it("point the network policies at an external RabbitMQ and PostgreSQL by CIDR", () => {
    const objects = helmTemplate({
      rabbitmq: { cidr: "10.20.0.0/16" },
      postgresql: { cidr: "10.30.0.0/16" },
    });
    const egress = find(objects, "NetworkPolicy", "message-manager")!.spec.egress;
    expect(egress.map((rule: any) => rule.to)).toEqual([
      [{ ipBlock: { cidr: "10.20.0.0/16" } }],
      [{ ipBlock: { cidr: "10.30.0.0/16" } }],
    ]);
  });

  it("let the pods reach the OTLP collector only when tracing is on, by labels or by CIDR", () => {
    expect(find(defaults, "NetworkPolicy", "talk-otlp")).toBeUndefined();
    const policy = find(everything, "NetworkPolicy", "talk-otlp")!.spec;
    expect(policy.podSelector).toEqual({ matchLabels: { "app.kubernetes.io/part-of": "talk" } });
    expect(policy.egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "opentelemetry-collector" } },
          },
        ],
        ports: [{ protocol: "TCP", port: 4318 }],
      },
    ]);
    const external = helmTemplate(
      mergeValues(EVERYTHING, { tracing: { collector: { cidr: "10.40.0.0/16", port: 443 } } }),
    );
    expect(find(external, "NetworkPolicy", "talk-otlp")!.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: "10.40.0.0/16" } }], ports: [{ protocol: "TCP", port: 443 }] },
    ]);
  });

  it("route /v1.0/ws to push and the rest to the gateway, through the Gateway API or an Ingress", () => {
    const [route] = ofKind(everything, "HTTPRoute");
    expect(
      route!.spec.rules.map((r: any) => [r.matches[0].path.value, r.backendRefs[0].name, r.timeouts.request]),
    ).toEqual([
      ["/v1.0/ws", "push", "0s"],
      ["/", "api-gateway", "30s"],
    ]);
    expect(route!.spec.parentRefs).toEqual([{ name: "talk", sectionName: "https" }]);
    const shared = helmTemplate({
      gatewayApi: {
        enabled: true,
        createGateway: false,
        gatewayName: "shared",
        gatewayNamespace: "gateways",
      },
    });
    expect(ofKind(shared, "Gateway")).toEqual([]);
    expect(ofKind(shared, "HTTPRoute")[0]!.spec.parentRefs).toEqual([
      { name: "shared", sectionName: "https", namespace: "gateways" },
    ]);
    const ingressPaths = ofKind(everything, "Ingress").flatMap((i) =>
      i.spec.rules[0].http.paths.map((p: any) => [p.path, p.backend.service.name]),
    );
    expect(ingressPaths.sort()).toEqual([
      ["/", "api-gateway"],
      ["/v1.0/ws", "push"],
    ]);
  });

  it("add the ServiceMonitor (and stop annotation scraping) and the alerts of deploy/k8s/monitoring", () => {
    expect(ofKind(everything, "ServiceMonitor")).toHaveLength(1);
    for (const service of SERVICES)
      expect(
        find(everything, "Deployment", service)!.spec.template.metadata.annotations["prometheus.io/scrape"],
      ).toBe("false");
    const alerts = parse(
      readFileSync(join(ROOT, "deploy/k8s/monitoring/prometheusrule.yaml"), "utf8"),
    ) as K8sObject;
    expect(ofKind(everything, "PrometheusRule")[0]!.spec).toEqual(alerts.spec);
  });

  it("take a new service as one more entry (e.g. a report-manager with its own database)", () => {
    const values = defaultValues() as any;
    const objects = helmTemplate({
      services: { "report-manager": values.services["chat-manager"] },
      secrets: { databases: { "report-manager": { name: "talk-report-manager-db", key: "DATABASE_URL" } } },
    });
    expect(containerOf(objects, "report-manager").image).toMatch(/\/report-manager:/);
    expect(find(objects, "NetworkPolicy", "report-manager")!.spec.egress[1].to).toEqual([
      { podSelector: { matchLabels: { "cnpg.io/cluster": "talk-report-manager-db" } } },
    ]);
    expect(find(objects, "Service", "report-manager")).toBeDefined();
  });

  it("let a service reach another's http port (calls) and be reached by it (calledBy), and nothing more", () => {
    const gateway = find(defaults, "NetworkPolicy", "api-gateway")!.spec;
    const files = find(defaults, "NetworkPolicy", "file-manager")!.spec;
    const fromGateway = {
      podSelector: {
        matchLabels: { "app.kubernetes.io/name": "api-gateway", "app.kubernetes.io/part-of": "talk" },
      },
    };
    const toFiles = {
      podSelector: {
        matchLabels: { "app.kubernetes.io/name": "file-manager", "app.kubernetes.io/part-of": "talk" },
      },
    };
    expect(gateway.egress).toContainEqual({ to: [toFiles], ports: [{ protocol: "TCP", port: "http" }] });
    expect(files.ingress).toEqual([{ from: [fromGateway], ports: [{ protocol: "TCP", port: "http" }] }]);
    const off = helmTemplate({
      services: { "api-gateway": { calls: [] }, "file-manager": { calledBy: [] } },
    });
    expect(find(off, "NetworkPolicy", "file-manager")!.spec.ingress).toBeUndefined();
    expect(find(off, "NetworkPolicy", "file-manager")!.spec.policyTypes).toEqual(["Egress"]);
  });

  it("merge as Helm merges: maps deeply, lists and scalars replaced, null removes", () => {
    expect(mergeValues({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: null })).toEqual({
      a: { b: 1, c: [3] },
    });
  });
});

describe("deploy/helm/talk: secrets", () => {
  const serviceProblems = async (objects: K8sObject[], service: ServiceName, real = false) => {
    const { env, fromSecrets, problems } = containerEnvironment(containerOf(objects, service), objects);
    expect(problems).toEqual([]);
    return configProblems(await configOf(service), real ? withRealSecrets(env, fromSecrets) : env);
  };

  it.each(SERVICES)("%s starts with the Secrets the chart creates from real values", async (service) => {
    expect(await serviceProblems(everything, service)).toEqual([]);
  });

  it.each(SERVICES)("%s refuses to start with example values, naming each", async (service) => {
    const examples = helmTemplate({
      secrets: {
        create: true,
        values: {
          jwtSecret: "replace-me-with-at-least-32-random-characters",
          rabbitmqUrl: "amqp://talk:replace-me@talk-rabbitmq:5672/talk",
          databaseUrls: {
            "agent-manager": "postgres://a:replace-me@db:5432/a",
            "chat-manager": "postgres://c:replace-me@db:5432/c",
            "message-manager": "postgres://m:replace-me@db:5432/m",
            "file-manager": "postgres://f:replace-me@db:5432/f",
          },
        },
      },
    });
    const problems = await serviceProblems(examples, service);
    // the broker's URL and the JWT secret or a database URL; file-manager has both
    expect(problems.length).toBe(service === "file-manager" ? 3 : 2);
    for (const problem of problems) expect(problem).toMatch(/example (value|password)/);
  });

  it("refuses an empty or short JWT secret from values the same way", async () => {
    const short = helmTemplate(mergeValues(EVERYTHING, { secrets: { values: { jwtSecret: "too-short" } } }));
    expect(await serviceProblems(short, "api-gateway")).toEqual([
      expect.stringMatching(
        /^JWT_SECRET must be at least 32 random characters: make one with `openssl rand -base64 48`/,
      ),
    ]);
  });
});
