/**
 * Composition root of the API gateway: request ids, RED metrics, CORS, body limits, authentication,
 * the routes (each a thin translation to one RPC call), and the one error handler.
 */
import type { Bus } from "@talk/bus";
import { asyncApiDocument, webSocketAsyncApiDocument } from "@talk/contracts";
import type { Logger, Metrics } from "@talk/kit";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { GatewaySettings } from "./config";
import { authenticate } from "./http/authenticate";
import { crossOrigin } from "./http/cross-origin";
import { errorHandler, notFoundHandler } from "./http/errors";
import { requestId } from "./http/request-context";
import { openApiDocument } from "./openapi/document";
import { agentRoutes } from "./routes/agents";
import { authRoutes } from "./routes/auth";
import { chatRoutes } from "./routes/chats";
import { messageRoutes } from "./routes/messages";
import { idempotencyKey } from "./http/idempotency";

export interface GatewayDeps {
  bus: Bus;
  logger: Logger;
  metrics: Metrics;
  settings: GatewaySettings;
}

/** RED metrics per route, and one access log line per request carrying its request id. */
function observe(metrics: Metrics, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpDuration.startTimer();
    res.on("finish", () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : "unmatched";
      const seconds = end({ method: req.method, route, status: String(res.statusCode) });
      logger.info(
        {
          request_id: req.requestId,
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          agent_id: req.caller?.agent_id,
        },
        "request",
      );
    });
    next();
  };
}

/** The API as an express router mounted at /v1.0 (the embedded host adds the rest to the same app). */
export function createApiRouter({ bus, logger, metrics, settings }: GatewayDeps): express.Router {
  const api = express.Router();
  api.use(requestId, observe(metrics, logger.child({ component: "access" })));
  api.use(crossOrigin(settings.allowedOrigins)); // preflights are answered before authentication
  api.use(express.json({ limit: settings.bodyLimitBytes, strict: true }));
  api.use(idempotencyKey);
  const documents = {
    "/openapi.json": openApiDocument(),
    "/asyncapi.json": asyncApiDocument(),
    "/asyncapi-websocket.json": webSocketAsyncApiDocument(),
  };
  for (const [path, document] of Object.entries(documents))
    api.get(path, (_req, res) => {
      res.json(document);
    });
  api.use(authRoutes(bus, settings));
  api.use(authenticate(settings.jwtSecret));
  // The busiest routes first: express tries every route before the one that matches.
  api.use(messageRoutes(bus));
  api.use(chatRoutes(bus, logger.child({ component: "chats" })));
  api.use(agentRoutes(bus));
  api.use(notFoundHandler);
  api.use(errorHandler(logger.child({ component: "http" })));
  return api;
}

export function createGatewayApp(deps: GatewayDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false); // API responses are fresh by nature; hashing every body costs CPU per request
  // Behind the public origin (nginx, an Ingress) the client's address is in X-Forwarded-For; trust
  // it only from private networks, so login rate limits count clients, not the proxy.
  app.set("trust proxy", "loopback, linklocal, uniquelocal");
  app.use("/v1.0", createApiRouter(deps));
  return app;
}
