import { AmqpBus } from "@talk/bus";
import { serveConsole } from "@talk/console";
import { Metrics, closeServer, listen, loadConfig, opsRouter, redact, runMain } from "@talk/kit";
import { createGatewayApp } from "./app";
import { gatewayConfig } from "./config";

void runMain("api-gateway", async (logger) => {
  const config = loadConfig(gatewayConfig);
  logger.level = config.LOG_LEVEL;
  if (config.JWT_SECRET.length < 32) throw new Error("JWT_SECRET must be at least 32 characters");
  const metrics = new Metrics("api-gateway");
  logger.info({ broker: redact(config.RABBITMQ_URL) }, "starting");
  const bus = await AmqpBus.connect({
    url: config.RABBITMQ_URL,
    service: "api-gateway",
    logger,
    metrics,
    rpcTimeoutMs: config.RPC_TIMEOUT_MS,
  });
  const app = createGatewayApp({
    bus,
    logger,
    metrics,
    settings: {
      jwtSecret: config.JWT_SECRET,
      tokenTtlSeconds: config.TOKEN_TTL_SECONDS,
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      loginRatePerMinute: config.LOGIN_RATE_PER_MINUTE,
      allowedOrigins: config.CORS_ALLOWED_ORIGINS,
    },
  });
  app.use(opsRouter([metrics], [{ name: "broker", check: () => bus.isReady() }]));
  app.use(serveConsole());
  const { server, port } = await listen(app, config.HTTP_PORT);
  logger.info({ port }, "ready");
  return {
    async stop() {
      await closeServer(server);
      await bus.close();
    },
  };
});
