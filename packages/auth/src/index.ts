/**
 * Access tokens: signed JWTs (HS256) that carry the agent, its customer and its permission, and
 * expire. The gateway issues them at login; the gateway and the push service verify them.
 */
import { type KeyObject, createSecretKey } from "node:crypto";
import { type Actor, unauthenticated } from "@talk/contracts";
import jwt from "jsonwebtoken";

export interface TokenClaims extends Actor {
  username: string;
  permission: "agent" | "admin";
}

export interface TokenOptions {
  secret: string;
  /** Lifetime in seconds. */
  ttlSeconds: number;
  issuer?: string;
}

const ISSUER = "talk";

/**
 * The secret as a KeyObject, made once: given a string, jsonwebtoken first tries (and fails) to
 * parse it as a public key on every call, which was a quarter of the gateway's CPU under load.
 */
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, "utf8"));
    keys.set(secret, key);
  }
  return key;
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function issueToken(claims: TokenClaims, options: TokenOptions): string {
  return jwt.sign(
    { customer_id: claims.customer_id, username: claims.username, permission: claims.permission },
    keyOf(options.secret),
    {
      algorithm: "HS256",
      expiresIn: options.ttlSeconds,
      subject: claims.agent_id,
      issuer: options.issuer ?? ISSUER,
    },
  );
}

/** Verifies signature, issuer and expiry; throws UNAUTHENTICATED with the reason. */
export function verifyToken(token: string, options: Pick<TokenOptions, "secret" | "issuer">): TokenClaims {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, keyOf(options.secret), {
      algorithms: ["HS256"],
      issuer: options.issuer ?? ISSUER,
    });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError)
      throw unauthenticated("TOKEN_EXPIRED", "The token has expired; log in again.");
    throw unauthenticated("TOKEN_INVALID", "The token is not valid.");
  }
  if (typeof payload === "string") throw unauthenticated("TOKEN_INVALID", "The token is not valid.");
  const { sub, customer_id, username, permission } = payload;
  if (
    typeof sub !== "string" ||
    !UUID.test(sub) ||
    typeof customer_id !== "string" ||
    !UUID.test(customer_id) ||
    typeof username !== "string"
  )
    throw unauthenticated("TOKEN_INVALID", "The token does not name an agent.");
  return { agent_id: sub, customer_id, username, permission: permission === "admin" ? "admin" : "agent" };
}

/** The token of a request: `?token=` or `Authorization: Bearer`. */
export function tokenFrom(query: unknown, authorization: string | undefined): string | undefined {
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (bearer) return bearer;
  if (query && typeof query === "object" && "token" in query) {
    const token = (query as { token?: unknown }).token;
    if (typeof token === "string" && token.length > 0) return token;
  }
  return undefined;
}
