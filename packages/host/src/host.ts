/**
 * Runs one service as its own process (distributed mode), the same way for every service: load and
 * validate its configuration, connect its database (managers) and the RabbitMQ bus, start it, serve
 * the ops endpoints and its HTTP surface; traces when the OTEL_* variables ask for them. Start order: connect, migrate, serve, consume. Stop order
 * (SIGTERM): see `Started`.
 */
import { AmqpBus, type DurableQueueType, brokerUrls } from "@talk/bus";
import { connectDatabase, pingDatabase } from "@talk/db";
import {
  type ConfigSpec,
  Metrics,
  commonConfig,
  databaseConfig,
  loadConfig,
  parseTrustProxy,
  redact,
  runMain,
  spanProcessorsFrom,
  startTracing,
  tracedServiceName,
} from "@talk/kit";
import type { Knex } from "knex";
import { serve } from "./serve";
import type { ManagerDefinition, ServiceDefinition } from "./started";

/** Every variable a service reads: the common ones, a manager's database, the service's own. */
export function configSpec<S extends ConfigSpec>(service: ServiceDefinition<S> | ManagerDefinition<S>) {
  return { ...commonConfig, ...(service.database ? databaseConfig : {}), ...service.config };
}

export function host<S extends ConfigSpec>(service: ServiceDefinition<S> | ManagerDefinition<S>): void {
  void runMain(service.name, async (logger) => {
    const config = loadConfig(configSpec(service));
    const trustProxy = parseTrustProxy(config.TRUST_PROXY);
    logger.level = config.LOG_LEVEL;
    const tracing = startTracing(tracedServiceName(service.name, config), spanProcessorsFrom(config));
    if (tracing.enabled) logger.info("tracing on (OpenTelemetry)");
    const metrics = new Metrics(service.name);
    let db: Knex | undefined;
    if (service.database) {
      const url = String(config.DATABASE_URL);
      const hosts = String(config.DATABASE_HOSTS);
      db = connectDatabase({ url, hosts, poolMax: Number(config.DATABASE_POOL_MAX), logger });
      logger.info({ database: redact(url), ...(hosts && { hosts }) }, "database");
    }
    const brokers = brokerUrls(config.RABBITMQ_URL, config.RABBITMQ_NODES);
    logger.info({ brokers: brokers.map(redact) }, "starting");
    const bus = await AmqpBus.connect({
      url: brokers,
      queues: {
        type: config.RABBITMQ_QUEUE_TYPE as DurableQueueType,
        replicas: config.RABBITMQ_REPLICAS,
      },
      service: service.name,
      logger,
      metrics,
      rpcTimeoutMs: config.RPC_TIMEOUT_MS,
      maxDeliveries: config.EVENT_MAX_DELIVERIES,
    });
    const deps = { bus, logger, metrics };
    const started = service.database
      ? await service.start({ ...deps, db: db as Knex }, config)
      : await service.start(deps, config);
    const database = db;
    const serving = await serve([started], {
      metrics: [metrics],
      checks: [
        { name: "broker", check: () => bus.isReady() },
        ...(database ? [{ name: "database", check: () => pingDatabase(database) }] : []),
      ],
      port: config.HTTP_PORT,
      trustProxy,
      connections: { keepAliveSeconds: config.HTTP_KEEP_ALIVE_SECONDS, backlog: config.HTTP_LISTEN_BACKLOG },
    });
    logger.info({ port: serving.port }, "ready");
    return {
      async stop() {
        await serving.close();
        await bus.stopConsuming();
        await started.stop?.();
        await bus.close();
        await database?.destroy();
        await tracing.shutdown();
      },
    };
  });
}
