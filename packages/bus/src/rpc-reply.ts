/** The reply of an RPC on the wire: a result, or an error as data. */
import {
  AppError,
  isErrorStatus,
  type ErrorBody,
  type ErrorReason,
  type RateLimitState,
} from "@talk/contracts";

export type RpcReply = { ok: true; result: unknown } | { ok: false; error: ErrorBody };

export function encodeReply(reply: RpcReply): string {
  return JSON.stringify(reply);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a reply; anything that is not a well-formed reply becomes an INTERNAL error reply. */
export function decodeReply(text: string): RpcReply {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      ok: false,
      error: {
        status: "INTERNAL",
        reason: "MALFORMED_REPLY",
        message: "The service sent a reply that is not JSON.",
      },
    };
  }
  if (isRecord(value)) {
    if (value.ok === true && "result" in value) return { ok: true, result: value.result };
    const error = value.error;
    if (
      value.ok === false &&
      isRecord(error) &&
      isErrorStatus(error.status) &&
      typeof error.reason === "string" &&
      typeof error.message === "string"
    ) {
      // a newer service may answer with a reason this version does not know yet: it passes through
      const reason = error.reason as ErrorReason;
      const rateLimit = rateLimitOf(error.rate_limit);
      return {
        ok: false,
        error: {
          status: error.status,
          reason,
          message: error.message,
          ...(rateLimit && { rate_limit: rateLimit }),
        },
      };
    }
  }
  return {
    ok: false,
    error: { status: "INTERNAL", reason: "MALFORMED_REPLY", message: "The service sent a malformed reply." },
  };
}

/** The result of a reply, or its error thrown as an AppError. */
export function unwrapReply(reply: RpcReply): unknown {
  if (reply.ok) return reply.result;
  throw AppError.fromBody(reply.error);
}

function rateLimitOf(value: unknown): RateLimitState | undefined {
  if (!isRecord(value)) return undefined;
  const { limit, remaining, reset_seconds } = value;
  return typeof limit === "number" && typeof remaining === "number" && typeof reset_seconds === "number"
    ? { limit, remaining, reset_seconds }
    : undefined;
}
