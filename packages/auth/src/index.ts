/**
 * Access tokens: signed JWTs (HS256) that carry the agent, its customer and its permission, and
 * expire. The gateway issues them at login; the gateway and the push service verify them. The
 * header's `kid` names the key that signed (see ./keys.ts: the secret can be rotated).
 */
import { type Actor, UUID_RE, unauthenticated } from "@talk/contracts";
import jwt from "jsonwebtoken";
import { LRUCache } from "lru-cache";
import { type KeyRing, type SigningKey, type TokenSecret, keyRingOf, ringName } from "./keys";

export { type TokenSecret, keyIdOf } from "./keys";

export interface TokenClaims extends Actor {
  username: string;
  permission: "agent" | "admin";
}

export interface TokenOptions {
  /** The secret, or the current and the previous one during a rotation. */
  secret: TokenSecret;
  /** Lifetime in seconds. */
  ttlSeconds: number;
  issuer?: string;
}

const ISSUER = "talk";

/**
 * Per secret: its key ring, made once, and the tokens it verified, until they expire. A client
 * sends the same token with every request; a token cannot be revoked before it expires, so a
 * verified one stays valid until then and is not checked again (a bounded LRU, so unknown tokens
 * cannot grow it).
 */
interface Verifier {
  ring: KeyRing;
  verified: LRUCache<string, TokenClaims>;
}
const VERIFIED_TOKENS = 10_000;
const verifiers = new Map<string, Verifier>();
function verifierOf(secret: TokenSecret): Verifier {
  const name = ringName(secret);
  let verifier = verifiers.get(name);
  if (!verifier) {
    verifier = {
      ring: keyRingOf(secret),
      verified: new LRUCache<string, TokenClaims>({ max: VERIFIED_TOKENS }),
    };
    verifiers.set(name, verifier);
  }
  return verifier;
}

export function issueToken(claims: TokenClaims, options: TokenOptions): string {
  return jwt.sign(
    { customer_id: claims.customer_id, username: claims.username, permission: claims.permission },
    verifierOf(options.secret).ring.current.key,
    {
      algorithm: "HS256",
      keyid: verifierOf(options.secret).ring.current.kid,
      expiresIn: options.ttlSeconds,
      subject: claims.agent_id,
      issuer: options.issuer ?? ISSUER,
    },
  );
}

/** Verifies signature, issuer and expiry; throws UNAUTHENTICATED with the reason. */
export function verifyToken(token: string, options: Pick<TokenOptions, "secret" | "issuer">): TokenClaims {
  const issuer = options.issuer ?? ISSUER;
  const { ring, verified } = verifierOf(options.secret);
  const cacheKey = `${issuer}\u0000${token}`;
  const known = verified.get(cacheKey);
  if (known) return known;
  let payload: string | jwt.JwtPayload | undefined;
  let lastError: unknown;
  for (const { key } of keysFor(token, ring)) {
    try {
      payload = jwt.verify(token, key, { algorithms: ["HS256"], issuer });
      break;
    } catch (error) {
      lastError = error;
    }
  }
  if (payload === undefined) {
    if (lastError instanceof jwt.TokenExpiredError)
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

/**
 * The keys that may have signed a token: the one its `kid` names (none if no key of the ring has
 * that id: a token signed with a retired or foreign key is refused); for a token without `kid`
 * (issued before tokens named their key), the current and the previous key.
 */
function keysFor(token: string, ring: KeyRing): SigningKey[] {
  const header = jwt.decode(token, { complete: true })?.header;
  if (!header) return [];
  if (header.kid === undefined) return [...ring.byId.values()];
  const key = typeof header.kid === "string" ? ring.byId.get(header.kid) : undefined;
  return key ? [key] : [];
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
