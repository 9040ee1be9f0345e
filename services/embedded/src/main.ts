/** `pnpm start`: the whole system in one process, with a demo customer on first start. */
import { resolve } from "node:path";
import {
  loadConfig,
  parseTrustProxy,
  redact,
  runMain,
  spanProcessorsFrom,
  startTracing,
  tokenSecretOf,
  tracedServiceName,
} from "@talk/kit";
import { embeddedConfig } from "./config";
import { startEmbedded } from "./system";

/** Relative data folders are taken from the repository root, wherever the command ran. */
const REPOSITORY_ROOT = resolve(__dirname, "../../..");

void runMain("talk", async (logger) => {
  const config = loadConfig(embeddedConfig);
  const trustProxy = parseTrustProxy(config.TRUST_PROXY);
  logger.level = config.LOG_LEVEL;
  const tracing = startTracing(tracedServiceName("talk", config), spanProcessorsFrom(config));
  const dataDir = resolve(REPOSITORY_ROOT, config.TALK_DATA_DIR);
  const system = await startEmbedded({
    dataDir,
    // made by `node start.mjs --build` (the root `prepare` script); without it, initdb runs
    pgliteTemplate: resolve(__dirname, "../pglite-template"),
    port: config.PORT,
    logger,
    jwtSecret: config.JWT_SECRET ? tokenSecretOf(config) : undefined,
    allowedOrigins: config.CORS_ALLOWED_ORIGINS,
    trustProxy,
    connections: { keepAliveSeconds: config.HTTP_KEEP_ALIVE_SECONDS, backlog: config.HTTP_LISTEN_BACKLOG },
    ...(config.RABBITMQ_URL && { rabbitmqUrl: config.RABBITMQ_URL }),
    gateway: {
      tokenTtlSeconds: config.TOKEN_TTL_SECONDS,
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      loginRatePerMinute: config.LOGIN_RATE_PER_MINUTE,
      maxRequestsInFlight: config.MAX_REQUESTS_IN_FLIGHT,
      overloadLatencyTolerancePercent: config.OVERLOAD_LATENCY_TOLERANCE_PERCENT,
      overloadEventLoopLagMs: config.OVERLOAD_EVENT_LOOP_LAG_MS,
    },
  });
  const base = `http://localhost:${system.port}`;
  const lines = [
    "",
    `Talk is running at ${base}/v1.0 (data in ${dataDir})`,
    `  API document: ${base}/v1.0/openapi.json   health: ${base}/healthz   metrics: ${base}/metrics`,
    ...(config.RABBITMQ_URL
      ? [`  Events are published to the broker too: ${redact(config.RABBITMQ_URL)}, exchange talk.events`]
      : []),
  ];
  if (system.seeded) {
    lines.push(`  Demo customer ${system.seeded.customer.id} with agents:`);
    for (const a of system.seeded.agents)
      lines.push(
        `    ${a.username.padEnd(6)} password ${a.password.padEnd(16)} id ${a.id} (${a.permission})`,
      );
    lines.push("  Try:");
    lines.push(`    TOKEN=$(curl -s -X POST ${base}/v1.0/auth/login -H 'Content-Type: application/json' \\`);
    lines.push(
      `      -d '{"username":"alice","password":"alice-talk-demo"}' | sed -E 's/.*"token":"([^"]+)".*/\\1/')`,
    );
    lines.push(`    curl -s "${base}/v1.0/agents?token=$TOKEN"`);
  } else {
    lines.push(
      "  Demo agents: alice / alice-talk-demo, bob / bob-talk-demo, carol / carol-talk-demo (seeded on first start)",
    );
  }
  process.stdout.write(lines.join("\n") + "\n\n");
  return {
    async stop() {
      await system.stop();
      await tracing.shutdown();
    },
  };
});
