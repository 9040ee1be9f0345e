/**
 * The Idempotency-Key header on writes: passed to the service that does the write together with a
 * fingerprint of the request, so that a retry takes effect once and a reused key with a different
 * request is refused (409). The token is left out of the fingerprint: a retry may carry a new one.
 */
import { createHash } from "node:crypto";
import { type Idempotency, invalid } from "@talk/contracts";
import type { NextFunction, Request, Response } from "express";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      idempotency?: Idempotency;
    }
  }
}

const KEY = /^[\x21-\x7e]{1,255}$/;

export function idempotencyKey(req: Request, _res: Response, next: NextFunction): void {
  const key = req.get("idempotency-key");
  if (key === undefined || req.method === "GET" || req.method === "HEAD") return next();
  if (!KEY.test(key))
    return next(
      invalid(
        "INVALID_IDEMPOTENCY_KEY",
        "The Idempotency-Key header must be 1 to 255 visible ASCII characters.",
      ),
    );
  const query = Object.entries(req.query)
    .filter(([name]) => name !== "token")
    .sort(([a], [b]) => a.localeCompare(b));
  const fingerprint = createHash("sha256")
    .update(JSON.stringify([req.method, req.baseUrl + req.path, query, req.body ?? null]))
    .digest("hex");
  req.idempotency = { key, fingerprint };
  next();
}

/** The idempotency field of a write operation's request, when the caller sent a key. */
export const once = (req: Request) => (req.idempotency ? { idempotency: req.idempotency } : {});
