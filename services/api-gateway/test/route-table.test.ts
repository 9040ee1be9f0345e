/**
 * The gateway serves every operation of the contracts' route table (the one the OpenAPI document
 * and the SDK are built from): each answers something other than 404 ROUTE_NOT_FOUND. Byte routes
 * (uploads, downloads) reach file-manager's byte path, the others their RPC.
 */
import { issueToken } from "@talk/auth";
import { MemoryBus } from "@talk/bus";
import { API_ROUTES, type ApiOperation, routeTarget } from "@talk/contracts";
import { Metrics, closeServer, listen, silentLogger } from "@talk/kit";
import { createGatewayApp } from "../src/app";
import { EXAMPLES } from "../src/openapi/examples";

const secret = "x".repeat(32);
const id = "e8b2e976-f043-44c8-bb89-e214e225e813";

describe("the route table", () => {
  it("is served by the gateway, every operation of it", async () => {
    const bus = new MemoryBus({ logger: silentLogger });
    const app = createGatewayApp({
      bus,
      logger: silentLogger,
      metrics: new Metrics("api-gateway", { defaultMetrics: false }),
      settings: {
        jwtSecret: secret,
        tokenTtlSeconds: 60,
        bodyLimitBytes: 1024,
        loginRatePerMinute: 100,
        allowedOrigins: [],
        maxRequestsInFlight: 256,
        fileManagerUrls: ["http://127.0.0.1:9"],
        overloadLatencyTolerancePercent: 0,
        overloadEventLoopLagMs: 0,
      },
    });
    const token = issueToken(
      { agent_id: id, customer_id: id, username: "ann", permission: "admin" },
      { secret, ttlSeconds: 60 },
    );
    const { server, port } = await listen(app, 0, "127.0.0.1");
    try {
      const answers: Record<string, string> = {};
      for (const operation of Object.keys(API_ROUTES) as ApiOperation[]) {
        const { method, path } = routeTarget(operation, { id, participant_id: id });
        const request = EXAMPLES[operation].request;
        const kind: string | undefined = (API_ROUTES[operation] as { query?: string }).query;
        const query =
          kind === "messages"
            ? `?chat_id=${id}`
            : kind === "ids"
              ? `?ids=${id}`
              : kind === "search"
                ? "?q=launch"
                : "";
        const res = await fetch(`http://127.0.0.1:${port}/v1.0${path}${query}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          ...(request ? { body: JSON.stringify(request) } : {}),
        });
        const body = (await res.json()) as { error?: { reason: string } };
        answers[operation] = body.error?.reason ?? String(res.status);
      }
      // No service answers on this bus and no file-manager listens: every route reached its service.
      for (const operation of Object.keys(API_ROUTES) as ApiOperation[]) {
        const bytes = (API_ROUTES[operation] as { bytes?: string }).bytes;
        const reason = bytes ? "FILE_MANAGER_UNAVAILABLE" : "RPC_NO_SERVER";
        expect({ operation, reason: answers[operation] }).toEqual({ operation, reason });
      }
    } finally {
      await closeServer(server);
      await bus.close();
    }
  });
});
