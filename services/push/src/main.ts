import { AmqpBus } from "@talk/bus";
import { Metrics, closeServer, listen, loadConfig, opsRouter, redact, runMain } from "@talk/kit";
import express from "express";
import { startPush } from "./app";
import { pushConfig } from "./config";
import { settingsFrom } from "./settings";

void runMain("push", async (logger) => {
  const config = loadConfig(pushConfig);
  logger.level = config.LOG_LEVEL;
  if (config.JWT_SECRET.length < 32) throw new Error("JWT_SECRET must be at least 32 characters");
  const metrics = new Metrics("push");
  logger.info({ broker: redact(config.RABBITMQ_URL) }, "starting");
  const bus = await AmqpBus.connect({
    url: config.RABBITMQ_URL,
    service: "push",
    logger,
    metrics,
    rpcTimeoutMs: config.RPC_TIMEOUT_MS,
  });
  const push = await startPush({ bus, logger, metrics, settings: settingsFrom(config) });
  const app = express();
  app.disable("x-powered-by");
  app.use(
    opsRouter(
      [metrics],
      [
        { name: "broker", check: () => bus.isReady() },
        { name: "event_stream", check: () => push.isReady() },
      ],
    ),
  );
  app.get("/v1.0/ws", (_req, res) => {
    res.status(426).json({
      error: { status: "INVALID_ARGUMENT", reason: "UPGRADE_REQUIRED", message: "Open a WebSocket here." },
    });
  });
  const { server, port } = await listen(app, config.HTTP_PORT);
  push.attach(server);
  logger.info({ port }, "ready");
  return {
    async stop() {
      await push.stop();
      await closeServer(server);
      await bus.close();
    },
  };
});
