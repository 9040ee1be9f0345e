/**
 * Composition root of the API gateway: request ids, RED metrics, CORS, body limits, authentication,
 * the routes (each a thin translation to one RPC call), and the one error handler.
 */
import { serveConsole } from "@talk/console";
import { asyncApiDocument, webSocketAsyncApiDocument } from "@talk/contracts";
import type { ServiceDefinition, ServiceDeps, Started } from "@talk/host";
import {
  type Logger,
  type Metrics,
  SpanKind,
  SpanStatusCode,
  contextFrom,
  createHttpApp,
  openSpan,
} from "@talk/kit";
import helmet from "helmet";
import express, {
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from "express";
import { type GatewaySettings, gatewayConfig, gatewaySettings } from "./config";
import { Admission } from "./http/admission";
import { authenticate } from "./http/authenticate";
import { crossOrigin } from "./http/cross-origin";
import { errorHandler, notFoundHandler } from "./http/errors";
import { requestId } from "./http/request-context";
import { openApiDocument } from "./openapi/document";
import { agentRoutes } from "./routes/agents";
import { presenceRoutes } from "./routes/presence";
import { reportActivity } from "./http/activity";
import { authRoutes } from "./routes/auth";
import { chatRoutes } from "./routes/chats";
import { fileRoutes } from "./routes/files";
import { messageEditPinSearchRoutes } from "./routes/message-edits-pins-search";
import { messageRoutes } from "./routes/messages";
import { GatewayMetrics } from "./metrics";
import { idempotencyKey } from "./http/idempotency";
import { boundedJsonDepth } from "./http/json-depth";

export interface GatewayDeps extends ServiceDeps {
  settings: GatewaySettings;
}

/**
 * RED metrics per route, one access log line per request carrying its request id, and a trace span
 * per request (continuing the caller's `traceparent`; active while the request is handled, so the
 * RPC calls it makes carry it on).
 */
function observe(metrics: Metrics, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpDuration.startTimer();
    const parent = contextFrom({ traceparent: req.get("traceparent"), tracestate: req.get("tracestate") });
    const { span, within, bind } = openSpan(`${req.method} /v1.0`, {
      kind: SpanKind.SERVER,
      parent,
      attributes: {
        "http.request.method": req.method,
        "url.path": `${req.baseUrl}${req.path}`,
        "talk.request_id": req.requestId,
      },
    });
    res.on("finish", () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : "unmatched";
      const seconds = end({ method: req.method, route, status: String(res.statusCode) });
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ "http.route": route, "http.response.status_code": res.statusCode });
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      if (logger.isLevelEnabled("info"))
        within(() =>
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
          ),
        );
    });
    bind(req); // the body is read in the request stream's callbacks
    within(next);
  };
}

/**
 * The API answers JSON only: nothing in it may run as a page, be sniffed into another type, or be
 * framed (nosniff, a CSP that allows nothing, frame-ancestors 'none', and helmet's other defaults).
 */
const apiSecurityHeaders = headersSetBy(
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { "default-src": ["'none'"], "frame-ancestors": ["'none'"] },
    },
    frameguard: { action: "deny" },
    crossOriginResourcePolicy: false, // browsers of allowed origins read it (CORS decides)
  }),
);

/**
 * The headers a middleware sets, asked once: helmet's, configured as above (no per-request CSP
 * nonce or function), are the same on every response, so they are set from this list instead of by
 * its dozen middleware functions on each request. (Its X-Powered-By removal is left out:
 * createHttpApp never sets that header.)
 */
function headersSetBy(middleware: (req: Request, res: Response, next: (err?: unknown) => void) => void) {
  const headers: [string, string][] = [];
  const res = {
    setHeader: (name: string, value: unknown) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let passed = false;
  middleware({} as Request, res as unknown as Response, (err) => {
    if (err) throw err;
    passed = true;
  });
  if (!passed) throw new Error("the security headers' middleware did not pass the request on");
  return headers;
}

/**
 * `router` entered only by requests whose path (below /v1.0) `paths` matches — every route of its
 * lies there — so every other request passes it by without a walk through its routes (express
 * matches routes case-insensitively: so must `paths`).
 */
function under(paths: RegExp, router: express.Router): RequestHandler {
  return (req, res, next) => (paths.test(req.path) ? router(req, res, next) : next());
}

/**
 * The API as an express router mounted at /v1.0 (the embedded host adds the rest to the same app);
 * `gate` is its admission control for the server to run before express; `stop` ends its sampling.
 */
export function createApiRouter({ bus, logger, metrics, settings }: GatewayDeps): {
  router: express.Router;
  /** Admission control ahead of express (Started's `gate`); the router judges what it did not. */
  gate: Admission["gate"];
  stop(): void;
} {
  const api = express.Router();
  const admission = new Admission(settings, new GatewayMetrics(metrics));
  api.use(admission.middleware); // first: refusals answered before anything else runs or reads the body
  const observed = observe(metrics, logger.child({ component: "access" }));
  // One layer: the request id, the static security headers, then the request observed.
  api.use((req, res, next) => {
    requestId(req, res);
    for (const [name, value] of apiSecurityHeaders) res.setHeader(name, value);
    observed(req, res, next);
  });
  api.use(crossOrigin(settings.allowedOrigins)); // preflights are answered before authentication
  // Files first: their bodies stream through to file-manager, never parsed here.
  api.use(under(/^\/files(?:\/|$)/i, fileRoutes(bus, settings.jwtSecret, settings.fileManagerUrls)));
  api.use(express.json({ limit: settings.bodyLimitBytes, strict: true }));
  api.use(boundedJsonDepth, idempotencyKey);
  const documents = {
    "/openapi.json": openApiDocument(),
    "/asyncapi.json": asyncApiDocument(),
    "/asyncapi-websocket.json": webSocketAsyncApiDocument(),
  };
  for (const [path, document] of Object.entries(documents))
    api.get(path, (_req, res) => {
      res.json(document);
    });
  api.use(under(/^\/auth\//i, authRoutes(bus, settings)));
  api.use(authenticate(settings.jwtSecret));
  api.use(reportActivity(bus, logger.child({ component: "activity" })));
  // Search, edits and pins (all below a message or a chat) before the messages' /:id routes.
  api.use(
    under(
      /^\/service_agents\/talk_(?:messages\/[^/]+|chats\/[^/]+\/pins)(?:\/|$)/i,
      messageEditPinSearchRoutes(bus),
    ),
  );
  api.use(
    under(
      /^\/service_agents\/talk_messages(?:\/|$)/i,
      messageRoutes(bus, { timeoutMs: settings.rpcTimeoutMs, maxCalls: settings.sendCallsInFlight }),
    ),
  );
  api.use(
    under(
      /^\/service_agents\/talk_(?:chats|channels)(?:\/|$)/i,
      chatRoutes(bus, logger.child({ component: "chats" })),
    ),
  );
  const agents = /^\/agents(?:\/|$)/i;
  api.use(under(agents, presenceRoutes(bus)), under(agents, agentRoutes(bus)));
  api.use(notFoundHandler);
  api.use(errorHandler(logger.child({ component: "http" })));
  return { router: api, gate: admission.gate, stop: () => admission.stop() };
}

/** The API at /v1.0 and the web console at /. */
export async function startGateway(deps: GatewayDeps): Promise<Started> {
  const api = createApiRouter(deps);
  return {
    gate: api.gate,
    mount(app) {
      app.use("/v1.0", api.router);
      app.use(serveConsole());
    },
    stop: async () => api.stop(),
  };
}

/** The API alone in an app of its own (tests of the gateway over an in-memory bus). */
export function createGatewayApp(deps: GatewayDeps): Express {
  return createHttpApp().use("/v1.0", createApiRouter(deps).router);
}

export const service: ServiceDefinition<typeof gatewayConfig> = {
  name: "api-gateway",
  config: gatewayConfig,
  start: (deps, config) => startGateway({ ...deps, settings: gatewaySettings(config) }),
};
