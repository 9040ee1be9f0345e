/**
 * CORS for browser apps on other origins (the `cors` package): the configured origins get the
 * CORS headers on every response, preflights answered here, before authentication; a preflight from
 * any other origin is refused with 403 ORIGIN_NOT_ALLOWED. `*` allows any origin, never with
 * credentials. Same-origin pages (the console) need none of this.
 */
import { forbidden } from "@talk/contracts";
import { allowsOrigin } from "@talk/kit";
import cors from "cors";
import type { RequestHandler } from "express";

/** Response headers a browser app may read: tracing, retry hints and rate limits. */
export const EXPOSED_HEADERS = [
  "X-Request-Id",
  "Retry-After",
  "RateLimit",
  "RateLimit-Policy",
  "RateLimit-Limit",
  "RateLimit-Remaining",
  "RateLimit-Reset",
];

/** How long a browser may cache a preflight's answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export function crossOrigin(allowedOrigins: readonly string[]): RequestHandler {
  const anyOrigin = allowedOrigins.includes("*");
  const corsHeaders = cors({
    origin: anyOrigin
      ? "*"
      : (origin, callback) => callback(null, origin !== undefined && allowsOrigin(allowedOrigins, origin)),
    credentials: !anyOrigin,
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  });
  return (req, res, next) => {
    const origin = req.headers.origin;
    // No Origin (not a browser's cross-origin call): cors would add nothing unless any origin is allowed.
    if (origin === undefined && !anyOrigin) return next();
    corsHeaders(req, res, (err?: unknown) => {
      if (err) return next(err);
      // Reached only by what cors did not answer: a preflight here comes from an origin not allowed.
      if (
        req.method !== "OPTIONS" ||
        origin === undefined ||
        req.get("access-control-request-method") === undefined
      )
        return next();
      next(
        forbidden(
          "ORIGIN_NOT_ALLOWED",
          `Pages from ${origin} may not call this API; its operator can allow the origin in CORS_ALLOWED_ORIGINS.`,
        ),
      );
    });
  };
}
