/** The gateway over the in-memory bus, with a real agent-manager stand-in answering logins. */
import { MemoryBus } from "@talk/bus";
import { formatDate, unauthenticated } from "@talk/contracts";
import { Metrics, listen, silentLogger, closeServer } from "@talk/kit";
import { createGatewayApp } from "../src/app";

describe("login rate limiting", () => {
  it("answers 429 with Retry-After once a client passes its logins per minute", async () => {
    const bus = new MemoryBus({ logger: silentLogger });
    await bus.handle("agent.verifyLogin", async (req) => {
      if (req.password !== "right")
        throw unauthenticated("INVALID_CREDENTIALS", "The username or password is not correct.");
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
    const app = createGatewayApp({
      bus,
      logger: silentLogger,
      metrics: new Metrics("api-gateway", { defaultMetrics: false }),
      settings: {
        jwtSecret: "x".repeat(32),
        tokenTtlSeconds: 60,
        bodyLimitBytes: 1024,
        loginRatePerMinute: 3,
        maxRequestsInFlight: 256,
        allowedOrigins: [],
        fileManagerUrls: ["http://127.0.0.1:9"],
      },
    });
    const { server, port } = await listen(app, 0, "127.0.0.1");
    try {
      const login = (password: string) =>
        fetch(`http://127.0.0.1:${port}/v1.0/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ username: "ann", password }),
        });
      expect((await login("right")).status).toBe(200);
      expect((await login("wrong")).status).toBe(401);
      expect((await login("wrong")).status).toBe(401);
      const limited = await login("right");
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBe("60");
      expect(((await limited.json()) as { error: object }).error).toMatchObject({
        status: "RESOURCE_EXHAUSTED",
        reason: "TOO_MANY_LOGINS",
      });
    } finally {
      await closeServer(server);
      await bus.close();
    }
  });
});
