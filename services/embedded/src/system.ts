/**
 * The whole system in one process: every service in-process over the in-memory bus, each with its
 * own PGlite database under one data folder, the API and the WebSocket (`/v1.0/ws`) on one port.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { createApiRouter } from "@talk/api-gateway";
import { AgentService, seedDemo, startAgentManager } from "@talk/agent-manager";
import { MemoryBus } from "@talk/bus";
import { startChatManager } from "@talk/chat-manager";
import { serveConsole } from "@talk/console";
import { startMessageManager } from "@talk/message-manager";
import {
  DEFAULT_PUSH_SETTINGS,
  IN_MEMORY_STREAM,
  type PushService,
  type PushSettings,
  startPush,
} from "@talk/push";
import { connectDatabase, pingDatabase } from "@talk/db";
import { Metrics, closeServer, listen, opsRouter, type Logger } from "@talk/kit";
import express from "express";
import type { Knex } from "knex";

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  logger: Logger;
  jwtSecret?: string;
  tokenTtlSeconds?: number;
  /** Browser origins allowed to call the API and open the WebSocket from another origin (default none). */
  allowedOrigins?: readonly string[];
  /** Seed the demo customer on first start (default true). */
  seed?: boolean;
  /** Push service settings other than the token secret (defaults: DEFAULT_PUSH_SETTINGS, IN_MEMORY_STREAM). */
  push?: Partial<Omit<PushSettings, "jwtSecret">>;
}

export interface EmbeddedSystem {
  url: string;
  port: number;
  bus: MemoryBus;
  agents: AgentService;
  push: PushService;
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
  const bus = new MemoryBus({ logger });
  const databases: Knex[] = [];
  const database = (service: string) => {
    const db = connectDatabase({ pgliteDir: join(options.dataDir, service) });
    databases.push(db);
    return db;
  };
  const metrics = {
    gateway: new Metrics("api-gateway"),
    agents: new Metrics("agent-manager", { defaultMetrics: false }),
    chats: new Metrics("chat-manager", { defaultMetrics: false }),
    messages: new Metrics("message-manager", { defaultMetrics: false }),
    push: new Metrics("push", { defaultMetrics: false }),
  };
  const jwtSecret = options.jwtSecret || secretIn(options.dataDir);
  const allowedOrigins = options.allowedOrigins ?? [];
  // First, so that its event stream holds every event published from now on.
  const push = await startPush({
    bus,
    logger: logger.child({ service: "push" }),
    metrics: metrics.push,
    settings: {
      ...DEFAULT_PUSH_SETTINGS,
      stream: IN_MEMORY_STREAM,
      allowedOrigins,
      ...options.push,
      jwtSecret,
    },
  });

  const { service: agents } = await startAgentManager({
    db: database("agent-manager"),
    bus,
    logger: logger.child({ service: "agent-manager" }),
  });
  const chatDb = database("chat-manager");
  const chats = await startChatManager({
    db: chatDb,
    bus,
    logger: logger.child({ service: "chat-manager" }),
    metrics: metrics.chats,
    outboxPollMs: 250,
  });
  const messages = await startMessageManager({
    db: database("message-manager"),
    bus,
    logger: logger.child({ service: "message-manager" }),
    metrics: metrics.messages,
    outboxPollMs: 250,
  });

  const seeded = options.seed === false ? undefined : await seedDemo(agents, () => agentsExist(databases[0]));

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(
    "/v1.0",
    createApiRouter({
      bus,
      logger: logger.child({ service: "api-gateway" }),
      metrics: metrics.gateway,
      settings: {
        jwtSecret,
        tokenTtlSeconds: options.tokenTtlSeconds ?? 86400,
        bodyLimitBytes: 256 * 1024,
        loginRatePerMinute: 600,
        allowedOrigins,
      },
    }),
  );
  app.use(
    opsRouter(Object.values(metrics), [
      ...databases.map((db, i) => ({ name: `database-${i}`, check: () => pingDatabase(db) })),
      { name: "push", check: () => push.isReady() },
    ]),
  );
  app.use(serveConsole());
  const { server, port } = await listen(app, options.port);
  push.attach(server as Server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    bus,
    agents,
    push,
    seeded,
    async stop() {
      await push.stop();
      await closeServer(server as Server);
      await bus.stopConsuming();
      await chats.stop();
      await messages.stop();
      await bus.close();
      for (const db of databases) await db.destroy();
    },
  };
}

async function agentsExist(db: Knex): Promise<boolean> {
  return Boolean(await db("customers").first("id"));
}
