/**
 * Request ids (X-Request-Id): a caller's id is adopted only when it is short and plain — letters,
 * digits and `_ . : -`, at most 128 — so it can go into logs and response headers as it is;
 * anything else is replaced by a fresh UUID. The gateway and push apply the same rule.
 */
import { randomUUID } from "node:crypto";

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

export function adoptRequestId(incoming: string | undefined): string {
  return incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
