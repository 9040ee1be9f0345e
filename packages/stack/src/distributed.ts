/**
 * The distributed stack: RabbitMQ and PostgreSQL (from the environment, Docker, or this machine's
 * binaries; see @talk/testkit), one database per manager (file-manager's holds the files' bytes), and every service as its own process:
 * two replicas of each manager, of the gateway and of push. Used by the integration tests and deploy/local.
 * With `rabbitNodes`, RabbitMQ is a local cluster of that many nodes and the services get the list.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type PostgresHandle,
  type RabbitClusterHandle,
  type RabbitHandle,
  type ReplicatedPostgresHandle,
  freePort,
  startPostgres,
  startRabbit,
  startRabbitCluster,
  startReplicatedPostgres,
} from "@talk/testkit";
import { ServiceProcess } from "./service-process";

export interface DistributedOptions {
  replicas?: number;
  /** Push replicas, when not `replicas` (e.g. one of every other service and two of push). */
  pushReplicas?: number;
  /** Replicas of the named services, when not `replicas` (e.g. 3 message-managers beside one of the rest). */
  serviceReplicas?: Record<string, number>;
  /** Each service's log (`<name>.log`); on a cluster, each broker node's logs too once stopped (`rabbit-<i>/`). */
  logDir?: string;
  logLevel?: string;
  /** Extra environment for every service (e.g. LOGIN_RATE_PER_MINUTE for load tests). */
  env?: Record<string, string>;
  /** PostgreSQL with production durability (fsync, full_page_writes on): the bench and the drills. */
  durablePostgres?: boolean;
  /** More PostgreSQL server settings (`name=value`), e.g. to load pg_stat_statements for profiling. */
  postgresSettings?: string[];
  /** Run RabbitMQ as a cluster of this many local nodes (services get every node's address). */
  rabbitNodes?: number;
  /** The cluster's nodes each in its own network namespace, so that one can be partitioned (root only). */
  rabbitIsolated?: boolean;
  /**
   * Managers whose database runs on its own primary with a synchronous standby (services get both
   * addresses in DATABASE_HOSTS), for the failover drills; the others share the single server.
   */
  replicatedDatabases?: readonly string[];
}

export interface DistributedStack {
  /** Base URL of the first gateway replica. */
  url: string;
  /** Base URLs of the push replicas (WebSocket at `<url>/v1.0/ws`, with ws: for http:). */
  pushUrls: string[];
  rabbit: RabbitHandle;
  /** The broker cluster, when the stack runs on one (`rabbitNodes`). */
  rabbitCluster?: RabbitClusterHandle;
  postgres: PostgresHandle;
  /** The primary-and-standby servers of the managers in `replicatedDatabases`. */
  replicatedPostgres: Record<string, ReplicatedPostgresHandle>;
  /** Each manager's database URL as created (on a replicated one, the first primary's address). */
  databases: Record<string, string>;
  /** A manager's database URL on the server that accepts writes now (follows a failover). */
  databaseUrl(service: string): string;
  jwtSecret: string;
  processes: ServiceProcess[];
  logDir: string;
  byService(service: string): ServiceProcess[];
  stop(): Promise<void>;
}

const MANAGERS = ["agent-manager", "chat-manager", "message-manager", "file-manager"] as const;

export async function startDistributed(options: DistributedOptions = {}): Promise<DistributedStack> {
  const replicas = options.replicas ?? 2;
  const replicasOf = (service: string) =>
    options.serviceReplicas?.[service] ??
    (service === "push" ? (options.pushReplicas ?? replicas) : replicas);
  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), "talk-stack-"));
  const [rabbit, postgres] = await Promise.all([
    options.rabbitNodes && options.rabbitNodes > 1
      ? startRabbitCluster(options.rabbitNodes, { isolated: options.rabbitIsolated, keepLogsIn: logDir })
      : startRabbit(),
    startPostgres({ durable: options.durablePostgres, settings: options.postgresSettings }),
  ]);
  const rabbitCluster = "nodes" in rabbit ? (rabbit as RabbitClusterHandle) : undefined;
  const processes: ServiceProcess[] = [];
  const replicatedPostgres: Record<string, ReplicatedPostgresHandle> = {};
  const stopAll = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await Promise.all([
      rabbit.close(),
      postgres.close(),
      ...Object.values(replicatedPostgres).map((r) => r.close()),
    ]);
  };
  try {
    for (const service of options.replicatedDatabases ?? [])
      replicatedPostgres[service] = await startReplicatedPostgres({
        durable: options.durablePostgres,
        settings: options.postgresSettings,
      });
    const jwtSecret = randomBytes(32).toString("hex");
    const databases: Record<string, string> = {};
    for (const service of MANAGERS)
      databases[service] = await (replicatedPostgres[service] ?? postgres).createDatabase(
        service.replace("-", "_"),
      );
    const databaseUrl = (service: string) => {
      const replicated = replicatedPostgres[service];
      if (!replicated) return databases[service];
      const url = new URL(databases[service]);
      url.port = String(replicated.nodes[replicated.primary].port);
      return url.toString();
    };
    const common = {
      RABBITMQ_URL: rabbit.url,
      ...(rabbitCluster && {
        RABBITMQ_NODES: rabbitCluster.nodes.map((node) => `${node.host}:${node.port}`).join(","),
      }),
      LOG_LEVEL: options.logLevel ?? "info",
      ...options.env,
    };
    for (const service of MANAGERS)
      for (let i = 1; i <= replicasOf(service); i++)
        processes.push(
          new ServiceProcess({
            service,
            name: `${service}-${i}`,
            env: {
              ...common,
              DATABASE_URL: databases[service],
              ...(replicatedPostgres[service] && { DATABASE_HOSTS: replicatedPostgres[service].hosts }),
              ...(service === "file-manager" ? { JWT_SECRET: jwtSecret } : {}),
            },
            httpPort: await freePort(),
            logDir,
          }),
        );
    const fileManagerUrls = processes
      .filter((p) => p.spec.service === "file-manager")
      .map((p) => p.url)
      .join(",");
    for (let i = 1; i <= replicasOf("api-gateway"); i++)
      processes.push(
        new ServiceProcess({
          service: "api-gateway",
          name: `api-gateway-${i}`,
          env: { ...common, JWT_SECRET: jwtSecret, FILE_MANAGER_URLS: fileManagerUrls },
          httpPort: await freePort(),
          logDir,
        }),
      );
    for (let i = 1; i <= replicasOf("push"); i++)
      processes.push(
        new ServiceProcess({
          service: "push",
          name: `push-${i}`,
          env: { ...common, JWT_SECRET: jwtSecret },
          httpPort: await freePort(),
          logDir,
        }),
      );
    await Promise.all(processes.map((p) => p.start()));
    const gateways = processes.filter((p) => p.spec.service === "api-gateway");
    return {
      url: gateways[0].url,
      pushUrls: processes.filter((p) => p.spec.service === "push").map((p) => p.url),
      rabbit,
      rabbitCluster,
      postgres,
      replicatedPostgres,
      databases,
      databaseUrl,
      jwtSecret,
      processes,
      logDir,
      byService: (service) => processes.filter((p) => p.spec.service === service),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
