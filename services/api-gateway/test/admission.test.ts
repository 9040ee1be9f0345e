/** The gateway over the in-memory bus, with a login handler the test holds back at will. */
import { MemoryBus } from "@talk/bus";
import { formatDate } from "@talk/contracts";
import { Metrics, closeServer, listen, silentLogger } from "@talk/kit";
import { waitFor } from "@talk/testkit";
import { createGatewayApp } from "../src/app";

describe("admission control (MAX_REQUESTS_IN_FLIGHT)", () => {
  it("refuses a request beyond the in-flight limit at once with 503 OVERLOADED and Retry-After, and serves again when a slot frees", async () => {
    const bus = new MemoryBus({ logger: silentLogger });
    const held: (() => void)[] = [];
    await bus.handle("agent.verifyLogin", async (req) => {
      await new Promise<void>((resolve) => held.push(resolve));
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
    const app = createGatewayApp({
      bus,
      logger: silentLogger,
      metrics,
      settings: {
        jwtSecret: "x".repeat(32),
        tokenTtlSeconds: 60,
        bodyLimitBytes: 1024,
        loginRatePerMinute: 1000,
        fileManagerUrls: ["http://127.0.0.1:9"],
        maxRequestsInFlight: 2,
        allowedOrigins: [],
      },
    });
    const { server, port } = await listen(app, 0, "127.0.0.1");
    try {
      const login = () =>
        fetch(`http://127.0.0.1:${port}/v1.0/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ username: "ann", password: "whatever1" }),
        });
      const first = login();
      const second = login();
      await waitFor(() => held.length === 2, { what: "two logins in flight" });

      const refused = await login();
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(((await refused.json()) as { error: object }).error).toMatchObject({
        status: "UNAVAILABLE",
        reason: "OVERLOADED",
      });
      const metricsText = await metrics.registry.metrics();
      expect(metricsText).toMatch(/^talk_http_requests_shed_total\{[^}]*\} 1$/m);
      expect(metricsText).toMatch(/^talk_http_requests_in_flight\{[^}]*\} 2$/m);

      held.shift()?.();
      expect((await first).status).toBe(200);
      const third = login(); // the freed slot takes it
      await waitFor(() => held.length === 2, { what: "the next login admitted" });
      for (const release of held.splice(0)) release();
      expect((await second).status).toBe(200);
      expect((await third).status).toBe(200);
    } finally {
      await closeServer(server);
      await bus.close();
    }
  });
});
