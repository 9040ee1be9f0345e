/**
 * Runs one manager service as its own process (distributed mode): validated config, pino logger,
 * Prometheus metrics, its own PostgreSQL database, the RabbitMQ bus, and the ops endpoints.
 * Start order: connect, migrate, serve, consume. Stop order: stop consuming, finish in-flight
 * work, close the broker, close the pool.
 */
import { AmqpBus, type Bus } from "@talk/bus";
import { connectDatabase, pingDatabase } from "@talk/db";
import {
  type ConfigSpec,
  Metrics,
  closeServer,
  commonConfig,
  databaseConfig,
  listen,
  loadConfig,
  opsRouter,
  redact,
  runMain,
  type Logger,
} from "@talk/kit";
import express from "express";
import type { Knex } from "knex";

export interface ManagerDeps {
  db: Knex;
  bus: Bus;
  logger: Logger;
  metrics: Metrics;
}

export interface StartedManager {
  /** Called on shutdown after the bus stopped consuming, before the bus and the pool close. */
  stop?(): Promise<void>;
}

export function hostManager(
  service: string,
  start: (deps: ManagerDeps) => Promise<StartedManager | unknown>,
): void {
  void runMain(service, async (logger) => {
    const config = loadConfig({ ...commonConfig, ...databaseConfig } satisfies ConfigSpec);
    logger.level = config.LOG_LEVEL;
    const metrics = new Metrics(service);
    const db = connectDatabase({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX });
    logger.info({ database: redact(config.DATABASE_URL), broker: redact(config.RABBITMQ_URL) }, "starting");
    const bus = await AmqpBus.connect({
      url: config.RABBITMQ_URL,
      service,
      logger,
      metrics,
      rpcTimeoutMs: config.RPC_TIMEOUT_MS,
    });
    const started = (await start({ db, bus, logger, metrics })) as StartedManager | undefined;
    const app = express();
    app.use(
      opsRouter(
        [metrics],
        [
          { name: "broker", check: () => bus.isReady() },
          { name: "database", check: () => pingDatabase(db) },
        ],
      ),
    );
    const { server, port } = await listen(app, config.HTTP_PORT);
    logger.info({ port }, "ready");
    return {
      async stop() {
        await bus.stopConsuming();
        await started?.stop?.();
        await closeServer(server);
        await bus.close();
        await db.destroy();
      },
    };
  });
}
