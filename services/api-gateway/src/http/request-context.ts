/** Per-request context: the request id (X-Request-Id) and, once authenticated, the caller. */
import { randomUUID } from "node:crypto";
import type { TokenClaims } from "@talk/auth";
import type { NextFunction, Request, Response } from "express";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      requestId: string;
      caller?: TokenClaims;
    }
  }
}

const SAFE_ID = /^[\w.:-]{1,128}$/;

/** Adopts a sane incoming X-Request-Id, else makes one; echoes it on every response. */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.get("x-request-id");
  req.requestId = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader("X-Request-Id", req.requestId);
  next();
}
