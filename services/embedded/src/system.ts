/**
 * The whole system in one process: every service in-process over the in-memory bus, each manager
 * with its own database — its own schema of the one PGlite under `<dataDir>/pglite` (see
 * docs/decisions/embedded-one-pglite.md) —, the API and the WebSocket (`/v1.0/ws`)
 * on one port.
 * The services start and stop exactly as @talk/host runs them one per process; only the bus, the
 * databases and the HTTP server are shared.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type GatewaySettings, gatewayConfig, gatewaySettings, startGateway } from "@talk/api-gateway";
import { AgentService, type PresenceSettings, seedDemo, startAgentManager } from "@talk/agent-manager";
import type { TokenSecret } from "@talk/auth";
import { AmqpBus, type Bus, MemoryBus } from "@talk/bus";
import { startChatManager } from "@talk/chat-manager";
import { SharedPglite, type WriteRates, connectDatabase, holdsDatabase, pingDatabase } from "@talk/db";
import { type Started, serve } from "@talk/host";
import { fileManagerConfig, fileSettings, type FileSettings, startFileManager } from "@talk/file-manager";
import {
  type ConnectionSettings,
  Metrics,
  type Logger,
  type TrustProxy,
  closeServer,
  createHttpApp,
  listen,
  loadConfig,
} from "@talk/kit";
import { startMessageManager } from "@talk/message-manager";
import {
  IN_MEMORY_STREAM,
  type PushService,
  type PushSettings,
  pushConfig,
  pushSettings,
  startPush,
} from "@talk/push";
import type { Knex } from "knex";
import { EventsToBroker } from "./events-to-broker";

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  logger: Logger;
  /** Default: a random secret generated into the data folder on first start, and kept there. */
  jwtSecret?: TokenSecret;
  /** Browser origins allowed to call the API and open the WebSocket from another origin (default none). */
  allowedOrigins?: readonly string[];
  /** Write budgets per agent and per customer (default: the documented defaults). */
  writeRates?: WriteRates;
  /** Proxies trusted to name the client in X-Forwarded-For (default: none). */
  trustProxy?: TrustProxy;
  /** Keep-alive and accept backlog of the HTTP server (default: Node's own). */
  connections?: ConnectionSettings;
  /** Gateway settings other than the token secret (defaults: the gateway's documented defaults). */
  gateway?: Partial<Omit<GatewaySettings, "jwtSecret">>;
  /** Seed the demo customer on first start (default true). */
  seed?: boolean;
  /** A broker to publish the public events to as well (`talk.events`), for consumers outside the process. */
  rabbitmqUrl?: string;
  /** Push settings other than the token secret (defaults: push's documented defaults, IN_MEMORY_STREAM). */
  push?: Partial<Omit<PushSettings, "jwtSecret">>;
  /** file-manager settings other than the token secret (default: its documented defaults, bytes in <dataDir>/files). */
  files?: Partial<Omit<FileSettings, "jwtSecret">>;
  /** Presence settings of agent-manager (idle time; defaults: DEFAULT_PRESENCE_SETTINGS). */
  presence?: Partial<PresenceSettings>;
  /** An initialised, empty PGlite folder copied for a new data folder (skips initdb; `pnpm build` makes it). */
  pgliteTemplate?: string;
}

/** The managers with a database, in the order they start. */
export const EMBEDDED_MANAGERS = [
  "agent-manager",
  "chat-manager",
  "message-manager",
  "file-manager",
] as const;

/** A manager's schema in the embedded PGlite: its name, `_` for `-`. */
export const schemaOf = (service: string): string => service.replace(/-/g, "_");

/**
 * The data folder's databases: one PGlite under `<dataDir>/pglite` with a schema per manager; a
 * data folder made before that (a PGlite folder per manager, `<dataDir>/<manager>`) keeps its layout.
 */
function openDatabases(dataDir: string, template: string | undefined) {
  const legacy = EMBEDDED_MANAGERS.some((service) => holdsDatabase(join(dataDir, service)));
  if (legacy)
    return {
      database: (service: string) => connectDatabase({ pgliteDir: join(dataDir, service) }),
      close: async () => {},
    };
  const shared = new SharedPglite({ dir: join(dataDir, "pglite"), template });
  return { database: (service: string) => shared.database(schemaOf(service)), close: () => shared.close() };
}

export interface EmbeddedSystem {
  url: string;
  port: number;
  bus: MemoryBus;
  agents: AgentService;
  push: PushService;
  /** Each service's database, by service name. */
  databases: Record<string, Knex>;
  seeded?: Awaited<ReturnType<typeof seedDemo>>;
  stop(): Promise<void>;
}

function secretIn(dataDir: string): string {
  const file = join(dataDir, "jwt-secret");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedSystem> {
  const { logger } = options;
  mkdirSync(options.dataDir, { recursive: true });
  const memory = new MemoryBus({ logger });
  const broker = options.rabbitmqUrl
    ? await AmqpBus.connect({ url: options.rabbitmqUrl, service: "embedded", logger })
    : undefined;
  const bus: Bus = broker ? new EventsToBroker(memory, broker) : memory;
  const databases: Knex[] = [];
  const byService: Record<string, Knex> = {};
  const opened = openDatabases(options.dataDir, options.pgliteTemplate);
  const database = (service: string) => {
    const db = opened.database(service);
    databases.push(db);
    byService[service] = db;
    return db;
  };
  const deps = (service: string, metrics: Metrics) => ({
    bus,
    logger: logger.child({ service }),
    metrics,
  });
  const metrics = {
    gateway: new Metrics("api-gateway"),
    agents: new Metrics("agent-manager", { defaultMetrics: false }),
    chats: new Metrics("chat-manager", { defaultMetrics: false }),
    messages: new Metrics("message-manager", { defaultMetrics: false }),
    push: new Metrics("push", { defaultMetrics: false }),
    files: new Metrics("file-manager", { defaultMetrics: false }),
  };
  // Checked by the gateway's and push's own config rules, as in their processes.
  const given = typeof options.jwtSecret === "string" ? { current: options.jwtSecret } : options.jwtSecret;
  const secrets = {
    JWT_SECRET: given?.current || secretIn(options.dataDir),
    JWT_SECRET_PREVIOUS: given?.previous ?? "",
  };
  // First, so that its event stream holds every event published from now on.
  const push = await startPush({
    ...deps("push", metrics.push),
    settings: {
      ...pushSettings(loadConfig(pushConfig, secrets)),
      ...(options.trustProxy !== undefined && { trustProxy: options.trustProxy }),
      stream: IN_MEMORY_STREAM,
      ...(options.allowedOrigins && { allowedOrigins: options.allowedOrigins }),
      ...options.push,
    },
  });
  const agentManager = await startAgentManager({
    ...deps("agent-manager", metrics.agents),
    db: database("agent-manager"),
    presence: options.presence,
    writeRates: options.writeRates,
  });
  const chatManager = await startChatManager({
    ...deps("chat-manager", metrics.chats),
    db: database("chat-manager"),
    outboxPollMs: 250,
    writeRates: options.writeRates,
  });
  const messageManager = await startMessageManager({
    ...deps("message-manager", metrics.messages),
    db: database("message-manager"),
    writeRates: options.writeRates,
    outboxPollMs: 250,
  });
  const fileManager = await startFileManager({
    ...deps("file-manager", metrics.files),
    db: database("file-manager"),
    settings: {
      ...fileSettings(loadConfig(fileManagerConfig, secrets)),
      storage: { kind: "folder", folder: join(options.dataDir, "files") },
      ...options.files,
    },
  });
  // The byte path is HTTP here too, on a loopback port the gateway streams to (one data path).
  const fileApp = createHttpApp();
  fileManager.mount?.(fileApp);
  const fileServer = await listen(fileApp, 0, "127.0.0.1");
  const gateway = await startGateway({
    ...deps("api-gateway", metrics.gateway),
    settings: {
      ...gatewaySettings(loadConfig(gatewayConfig, secrets)),
      // the one event loop also runs the databases: its lag says nothing about the gateway
      overloadEventLoopLagMs: 0,
      ...(options.allowedOrigins && { allowedOrigins: options.allowedOrigins }),
      fileManagerUrls: [`http://127.0.0.1:${fileServer.port}`],
      ...options.gateway,
    },
  });
  const seeded = options.seed === false ? undefined : await seedDemo(agentManager.agents);

  // push before the gateway: its /v1.0/ws answers before the API's 404
  const services: Started[] = [push, agentManager, chatManager, messageManager, fileManager, gateway];
  const serving = await serve(services, {
    metrics: Object.values(metrics),
    checks: [
      ...databases.map((db, i) => ({ name: `database-${i}`, check: () => pingDatabase(db) })),
      ...(broker ? [{ name: "broker", check: () => broker.isReady() }] : []),
    ],
    port: options.port,
    trustProxy: options.trustProxy,
    connections: options.connections,
  });
  return {
    url: `http://127.0.0.1:${serving.port}`,
    port: serving.port,
    bus: memory,
    agents: agentManager.agents,
    push,
    databases: byService,
    seeded,
    async stop() {
      await serving.close();
      await closeServer(fileServer.server);
      await bus.stopConsuming();
      for (const service of services) await service.stop?.();
      await bus.close();
      for (const db of databases) await db.destroy();
      await opened.close();
    },
  };
}
