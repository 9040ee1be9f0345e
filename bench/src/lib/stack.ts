/** The distributed stack as the bench and the drill use it: gateways, push replicas, broker, database. */
import { join, resolve } from "node:path";
import { type DistributedStack, type ServiceProcess, startDistributed } from "@talk/stack";
import type { Durability } from "./settings";

export interface BenchStack {
  distributed: DistributedStack;
  /** Base URLs of every gateway replica. */
  gateways: string[];
  /** Push replicas (empty while the stack has no push service). */
  push: ServiceProcess[];
  rabbitUrl: string;
  postgresUrl: string;
  postgres: DistributedStack["postgres"];
  stop(): Promise<void>;
}

export async function startStack(
  replicas: number,
  options: {
    env?: Record<string, string>;
    cpuProf?: string;
    durability?: Durability;
    postgresSettings?: string[];
    /** Push replicas when not `replicas`. */
    pushReplicas?: number;
    /** Replicas of the named services when not `replicas` (the capacity experiment). */
    serviceReplicas?: Record<string, number>;
    /** RabbitMQ as a local cluster of this many nodes (default 1: a single node). */
    rabbitNodes?: number;
    /** The cluster's nodes each in its own network namespace, so that one can be partitioned (root only). */
    rabbitIsolated?: boolean;
    /** Managers whose database runs on a primary with a synchronous standby (the failover drills). */
    replicatedDatabases?: readonly string[];
  } = {},
): Promise<BenchStack> {
  // --cpu-prof is not allowed in NODE_OPTIONS: a preloaded hook profiles through the inspector instead.
  const profile: Record<string, string> = options.cpuProf
    ? {
        NODE_OPTIONS: `--import=${join(__dirname, "cpu-profile-hook.mjs")}`,
        TALK_CPU_PROF_DIR: resolve(options.cpuProf),
      }
    : {};
  const distributed = await startDistributed({
    replicas,
    pushReplicas: options.pushReplicas,
    serviceReplicas: options.serviceReplicas,
    durablePostgres: (options.durability ?? "durable") === "durable",
    postgresSettings: options.postgresSettings,
    rabbitNodes: options.rabbitNodes,
    rabbitIsolated: options.rabbitIsolated,
    replicatedDatabases: options.replicatedDatabases,
    logLevel: "warn",
    // the bench measures capacity, not the limits: logins and write budgets far above any run
    env: {
      LOGIN_RATE_PER_MINUTE: "1000000",
      WRITE_RATE_PER_AGENT_PER_MINUTE: "100000000",
      WRITE_RATE_PER_CUSTOMER_PER_MINUTE: "100000000",
      WS_MAX_CONNECTIONS: "20000",
      WS_MAX_CONNECTIONS_PER_AGENT: "100000",
      WS_MAX_CONNECTIONS_PER_ADDRESS: "100000",
      // a closed loop at full throughput is not overload: the gateways keep their fixed in-flight
      // limit only (the overload drill turns their defaults back on)
      OVERLOAD_LATENCY_TOLERANCE_PERCENT: "0",
      OVERLOAD_EVENT_LOOP_LAG_MS: "0",
      ...profile,
      ...options.env,
    },
  });
  return {
    distributed,
    gateways: distributed.byService("api-gateway").map((p) => p.url),
    push: distributed.byService("push"),
    rabbitUrl: distributed.rabbit.url,
    postgresUrl: distributed.postgres.url,
    postgres: distributed.postgres,
    stop: () => distributed.stop(),
  };
}

/** Sum and count of a histogram over the replicas of a service, from their /metrics. */
export async function histogramTotals(
  stack: BenchStack,
  service: string,
  metric: string,
): Promise<{ sum: number; count: number }> {
  const totals = { sum: 0, count: 0 };
  for (const process of stack.distributed.byService(service)) {
    const text = await (await fetch(`${process.url}/metrics`)).text();
    for (const [, part, value] of text.matchAll(
      new RegExp(`^${metric}_(sum|count)\\{[^}]*\\} (\\S+)$`, "gm"),
    ))
      totals[part as "sum" | "count"] += Number(value);
  }
  return totals;
}

/** With --cpu-prof, every service profiles exactly this window (SIGUSR2 toggles the hook). */
export async function profiled<T>(
  cpuProf: string | undefined,
  stack: BenchStack,
  work: () => Promise<T>,
): Promise<T> {
  if (!cpuProf) return work();
  const toggle = () => stack.distributed.processes.forEach((p) => p.pid && process.kill(p.pid, "SIGUSR2"));
  toggle();
  try {
    return await work();
  } finally {
    toggle();
  }
}
