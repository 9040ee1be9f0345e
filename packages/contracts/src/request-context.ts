/**
 * What every write of a service is given about the request that asks for it: who calls (the agent
 * and its customer), the request id carried from the HTTP request for the logs and events, and the
 * caller's Idempotency-Key with the fingerprint of its request, when it sent one.
 */
import type { Actor, Idempotency } from "./types";

export interface RequestContext {
  /** The caller: the agent and its customer. */
  actor: Actor;
  requestId?: string;
  idempotency?: Idempotency;
}

/** The context of an RPC request that carries an actor (and, for writes, an Idempotency-Key). */
export function requestContextOf(
  request: { actor: Actor; idempotency?: Idempotency },
  requestId: string | undefined,
): RequestContext {
  return { actor: request.actor, requestId, idempotency: request.idempotency };
}
