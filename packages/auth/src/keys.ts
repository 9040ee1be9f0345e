/**
 * The signing keys of access tokens: the current secret signs, and the previous one (during a
 * rotation) still verifies, so that rotating the secret logs nobody out. Each token names its key in
 * the `kid` header; a key's id is derived from the secret (a hash, so it reveals nothing of it), so
 * the services that verify need no list of ids, only the same two secrets.
 */
import { type KeyObject, createHash, createSecretKey } from "node:crypto";

/** One secret, or the current one and the one before the last rotation. */
export type TokenSecret = string | { current: string; previous?: string };

export interface SigningKey {
  kid: string;
  key: KeyObject;
}

export interface KeyRing {
  /** Signs new tokens. */
  current: SigningKey;
  /** The keys that verify, by id: the current one and the previous one, if any. */
  byId: ReadonlyMap<string, SigningKey>;
}

/** The id of a secret's key: the start of its (domain-separated) SHA-256, base64url. */
export function keyIdOf(secret: string): string {
  return createHash("sha256")
    .update("talk access token key\u0000")
    .update(secret)
    .digest("base64url")
    .slice(0, 16);
}

const signingKey = (secret: string): SigningKey => ({
  kid: keyIdOf(secret),
  // Made once per secret: given a string, jsonwebtoken first tries (and fails) to parse it as a
  // public key on every call, a quarter of the gateway's CPU under load.
  key: createSecretKey(Buffer.from(secret, "utf8")),
});

export function keyRingOf(secret: TokenSecret): KeyRing {
  const { current, previous } =
    typeof secret === "string" ? { current: secret, previous: undefined } : secret;
  const ring = [signingKey(current), ...(previous ? [signingKey(previous)] : [])];
  return { current: ring[0]!, byId: new Map(ring.map((k) => [k.kid, k])) };
}

/** A stable name for a TokenSecret, to find its ring again. */
export const ringName = (secret: TokenSecret): string =>
  typeof secret === "string" ? secret : `${secret.current}\u0000${secret.previous ?? ""}`;
