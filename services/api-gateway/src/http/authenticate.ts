/** Authentication: a signed token from `?token=` or `Authorization: Bearer`, verified on every request. */
import { type TokenClaims, type TokenSecret, tokenFrom, verifyToken } from "@talk/auth";
import { type Actor, forbidden, unauthenticated } from "@talk/contracts";
import type { NextFunction, Request, Response } from "express";

export function authenticate(secret: TokenSecret) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const token = tokenFrom(req.query, req.get("authorization"));
    if (!token)
      return next(
        unauthenticated(
          "TOKEN_MISSING",
          "Send a token as ?token= or an Authorization: Bearer header; get one from POST /v1.0/auth/login.",
        ),
      );
    req.caller = verifyToken(token, { secret });
    next();
  };
}

/** The authenticated caller (routes behind `authenticate` only). */
export function caller(req: Request): TokenClaims {
  if (!req.caller) throw unauthenticated("TOKEN_MISSING", "This route needs a token.");
  return req.caller;
}

export function actorOf(req: Request): Actor {
  const { customer_id, agent_id, permission } = caller(req);
  return { customer_id, agent_id, permission };
}

export function requireAdmin(req: Request): void {
  if (caller(req).permission !== "admin") throw forbidden("ADMIN_ONLY", "Only customer admins may do this.");
}
