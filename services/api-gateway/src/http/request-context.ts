/** Per-request context: the request id (X-Request-Id) and, once authenticated, the caller. */
import type { TokenClaims } from "@talk/auth";
import { adoptRequestId } from "@talk/kit";
import type { Request, Response } from "express";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      requestId: string;
      caller?: TokenClaims;
    }
  }
}

/** Adopts a sane incoming X-Request-Id, else makes one; echoes it on every response. */
export function requestId(req: Request, res: Response): void {
  const incoming = req.headers["x-request-id"];
  req.requestId = adoptRequestId(Array.isArray(incoming) ? incoming[0] : incoming);
  res.setHeader("X-Request-Id", req.requestId);
}
