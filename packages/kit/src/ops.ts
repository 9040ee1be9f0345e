/** The operational surface of every service: /healthz (alive), /readyz (can serve), /metrics. */
import { type RequestListener, type Server, createServer } from "node:http";
import express, { type RequestHandler } from "express";
import { type Metrics, exposition } from "./metrics";
import type { TrustProxy } from "./trust-proxy";

/** A named readiness check: resolves true when the dependency can be used. */
export type ReadinessCheck = { name: string; check: () => Promise<boolean> | boolean };

/** The paths of the ops endpoints (express matches routes case-insensitively, and /healthz/ too). */
const OPS_PATHS = /^\/(?:healthz|readyz|metrics)\/?$/i;

/** The ops endpoints; every other request passes by without a walk through their routes. */
export function opsRouter(metrics: Metrics[], checks: ReadinessCheck[]): RequestHandler {
  const router = express.Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const results = await Promise.all(
      checks.map(
        async ({ name, check }) => [name, await Promise.resolve(check()).catch(() => false)] as const,
      ),
    );
    const ready = results.every(([, ok]) => ok);
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? "ready" : "not_ready", checks: Object.fromEntries(results) });
  });
  router.get("/metrics", async (_req, res) => {
    const { contentType, text } = await exposition(metrics);
    res.type(contentType).send(text);
  });
  return (req, res, next) => (OPS_PATHS.test(req.path) ? router(req, res, next) : next());
}

/**
 * The express app every Talk process serves from: no `X-Powered-By`, no ETags (API responses are
 * fresh by nature; hashing every body costs CPU per request), and `X-Forwarded-For` believed only
 * from the proxies TRUST_PROXY names (by default nobody's: the client is the socket's peer).
 */
export function createHttpApp(trustProxy: TrustProxy = false): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("trust proxy", trustProxy);
  return app;
}

/** How the HTTP server treats connections (`HTTP_KEEP_ALIVE_SECONDS`, `HTTP_LISTEN_BACKLOG`). */
export interface ConnectionSettings {
  keepAliveSeconds?: number;
  backlog?: number;
}

/** Node's own: 5 s keep-alive, a backlog of 511. */
const NODE_DEFAULTS = { keepAliveSeconds: 5, backlog: 511 };

/**
 * Starts an express app (or a request listener in front of one) on `port` (0 picks a free one) and
 * resolves with the bound port.
 */
export function listen(
  app: express.Express | RequestListener,
  port: number,
  host = "0.0.0.0",
  connections: ConnectionSettings = {},
): Promise<{ server: Server; port: number }> {
  const { keepAliveSeconds, backlog } = { ...NODE_DEFAULTS, ...connections };
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    server.keepAliveTimeout = keepAliveSeconds * 1000;
    // a request's headers may take as long as its connection may idle before it
    server.headersTimeout = Math.max(server.headersTimeout, server.keepAliveTimeout + 1000);
    server.once("error", reject);
    server.listen(port, host, backlog, () => {
      server.off("error", reject);
      const address = server.address();
      resolve({ server, port: typeof address === "object" && address ? address.port : port });
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
