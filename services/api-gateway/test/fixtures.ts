/** The gateway over the in-memory bus, with an agent-manager stand-in answering logins. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { MemoryBus } from "@talk/bus";
import { type RpcRequest, formatDate } from "@talk/contracts";
import { Metrics, closeServer, createHttpApp, listen, silentLogger } from "@talk/kit";
import { createApiRouter } from "../src/app";
import type { GatewaySettings } from "../src/config";

export interface TestGateway {
  login(password: string, headers?: Record<string, string>): Promise<Response>;
  metrics: Metrics;
  close(): Promise<void>;
}

/**
 * `verify` decides each login (throw to refuse it); it answers an agent of a fixed customer.
 * `gated`: admission control runs ahead of express, as a service's server runs it (serve's `gate`);
 * otherwise only the router's own middleware judges (an app without the gate).
 */
export async function testGateway(
  settings: Partial<GatewaySettings>,
  verify: (request: RpcRequest<"agent.verifyLogin">) => Promise<void>,
  { gated = false }: { gated?: boolean } = {},
): Promise<TestGateway> {
  const bus = new MemoryBus({ logger: silentLogger });
  await bus.handle("agent.verifyLogin", async (req) => {
    await verify(req);
    const now = formatDate(new Date());
    return {
      id: "eb1ac5c0-ff63-47e2-bcdb-5da9c336eb4b",
      customer_id: "5e4a0680-804e-11ec-8477-2fea5968d85b",
      username: req.username,
      name: "A",
      detail: "",
      permission: "agent",
      tm_create: now,
      tm_update: now,
      tm_delete: "9999-01-01 00:00:00.000000",
    };
  });
  const metrics = new Metrics("api-gateway", { defaultMetrics: false });
  const api = createApiRouter({
    bus,
    logger: silentLogger,
    metrics,
    settings: {
      jwtSecret: "x".repeat(32),
      tokenTtlSeconds: 60,
      bodyLimitBytes: 1024,
      loginRatePerMinute: 1000,
      maxRequestsInFlight: 128,
      fileManagerUrls: ["http://127.0.0.1:9"],
      overloadLatencyTolerancePercent: 0,
      overloadEventLoopLagMs: 0,
      allowedOrigins: [],
      ...settings,
    },
  });
  const app = createHttpApp().use("/v1.0", api.router);
  const { server, port } = await listen(
    gated
      ? (req: IncomingMessage, res: ServerResponse) => {
          if (!api.gate(req, res)) app(req, res);
        }
      : app,
    0,
    "127.0.0.1",
  );
  return {
    metrics,
    login: (password, headers = {}) =>
      fetch(`http://127.0.0.1:${port}/v1.0/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ username: "ann", password }),
      }),
    async close() {
      await closeServer(server);
      api.stop();
      await bus.close();
    },
  };
}
