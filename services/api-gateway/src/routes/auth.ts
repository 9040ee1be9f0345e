import { issueToken } from "@talk/auth";
import type { Bus } from "@talk/bus";
import { AppError, loginBody } from "@talk/contracts";
import { Router } from "express";
import rateLimit from "express-rate-limit";
import type { GatewaySettings } from "../config";
import { body } from "../http/input";

export function authRoutes(bus: Bus, settings: GatewaySettings): Router {
  const router = Router();
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: settings.loginRatePerMinute,
    standardHeaders: "draft-7",
    legacyHeaders: false,
    // X-Forwarded-For without a trusted proxy is ignored on purpose (TRUST_PROXY): not a misconfiguration
    validate: { xForwardedForHeader: false },
    handler: (_req, _res, next, options) => {
      _res.setHeader("Retry-After", String(Math.ceil(options.windowMs / 1000)));
      next(
        new AppError(
          "RESOURCE_EXHAUSTED",
          "TOO_MANY_LOGINS",
          "Too many login attempts; wait a minute and try again.",
        ),
      );
    },
  });
  router.post("/auth/login", limiter, async (req, res) => {
    const { username, password } = body<{ username: string; password: string }>(req, loginBody);
    const agent = await bus.call("agent.verifyLogin", { username, password }, { requestId: req.requestId });
    const token = issueToken(
      {
        agent_id: agent.id,
        customer_id: agent.customer_id,
        username: agent.username,
        permission: agent.permission,
      },
      { secret: settings.jwtSecret, ttlSeconds: settings.tokenTtlSeconds },
    );
    res.json({ username: agent.username, token });
  });
  return router;
}
