/**
 * Idempotency keys: random UUIDs. `crypto.randomUUID` exists in Node and in browsers' secure
 * contexts only (https or localhost), so a page served over plain http elsewhere gets one built
 * from `crypto.getRandomValues`, which every context has.
 */
export function newIdempotencyKey(): string {
  const webCrypto: typeof crypto | undefined = typeof crypto === "undefined" ? undefined : crypto;
  if (webCrypto && typeof webCrypto.randomUUID === "function") return webCrypto.randomUUID();
  if (!webCrypto) throw new Error("No Web Crypto on this platform to make an Idempotency-Key.");
  const bytes = webCrypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
