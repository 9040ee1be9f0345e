/**
 * Access tokens: signed JWTs (HS256) that carry the agent, its customer and its permission, and
 * expire. The gateway issues them at login; the gateway and the push service verify them.
 */
import { type KeyObject, createSecretKey } from "node:crypto";
import { type Actor, UUID_RE, unauthenticated } from "@talk/contracts";
import jwt from "jsonwebtoken";
import { LRUCache } from "lru-cache";

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
 * Per secret: the secret as a KeyObject, made once (given a string, jsonwebtoken first tries, and
 * fails, to parse it as a public key on every call: a quarter of the gateway's CPU under load), and
 * the tokens it verified, until they expire. A client sends the same token with every request; a
 * token cannot be revoked before it expires, so a verified one stays valid until then and is not
 * checked again (a bounded LRU, so unknown tokens cannot grow it).
 */
interface Verifier {
  key: KeyObject;
  verified: LRUCache<string, TokenClaims>;
}
const VERIFIED_TOKENS = 10_000;
const verifiers = new Map<string, Verifier>();
function verifierOf(secret: string): Verifier {
  let verifier = verifiers.get(secret);
  if (!verifier) {
    verifier = {
      key: createSecretKey(Buffer.from(secret, "utf8")),
      verified: new LRUCache<string, TokenClaims>({ max: VERIFIED_TOKENS }),
    };
    verifiers.set(secret, verifier);
  }
  return verifier;
}
const keyOf = (secret: string) => verifierOf(secret).key;

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
  const issuer = options.issuer ?? ISSUER;
  const { key, verified } = verifierOf(options.secret);
  const cacheKey = `${issuer}\u0000${token}`;
  const known = verified.get(cacheKey);
  if (known) return known;
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, key, { algorithms: ["HS256"], issuer });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError)
      throw unauthenticated("TOKEN_EXPIRED", "The token has expired; log in again.");
    throw unauthenticated("TOKEN_INVALID", "The token is not valid.");
  }
  if (typeof payload === "string") throw unauthenticated("TOKEN_INVALID", "The token is not valid.");
  const { sub, customer_id, username, permission, exp } = payload;
  if (
    typeof sub !== "string" ||
    !UUID_RE.test(sub) ||
    typeof customer_id !== "string" ||
    !UUID_RE.test(customer_id) ||
    typeof username !== "string"
  )
    throw unauthenticated("TOKEN_INVALID", "The token does not name an agent.");
  const claims: TokenClaims = Object.freeze({
    agent_id: sub,
    customer_id,
    username,
    permission: permission === "admin" ? "admin" : "agent",
  });
  // Kept until it expires (jsonwebtoken's own check is to the second; so is this one).
  const ttl = typeof exp === "number" ? exp * 1000 - Date.now() : 0;
  if (ttl > 0) verified.set(cacheKey, claims, { ttl });
  return claims;
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
