/**
 * Errors the SDK throws: `TalkApiError` when the API answered with its error envelope (or any other
 * non-2xx response), `TalkConnectionError` when no answer came back at all (after the retries).
 */
import type { ErrorReason, ErrorStatus } from "@talk/contracts";

/**
 * Every `reason` the API answers with (its error vocabulary, from the contract), and `HTTP_<code>`
 * for an answer without the API's error envelope (e.g. from a proxy). Branch on it:
 * `if (error.reason === "NOT_A_PARTICIPANT") …`. A newer server may add reasons: they arrive as
 * they are, so keep a default branch.
 */
export type TalkErrorReason = ErrorReason | `HTTP_${number}`;

/** A reason as received: one of the vocabulary, or one added by a newer server. */
export type ReceivedReason = TalkErrorReason | (string & Record<never, never>);

/** The API's error vocabulary, by HTTP code (the reverse of @talk/contracts' ERROR_HTTP_STATUS). */
const STATUS_OF_HTTP: Record<number, ErrorStatus> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  416: "RANGE_NOT_SATISFIABLE",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

export interface TalkApiErrorInit {
  httpStatus: number;
  status: ErrorStatus;
  reason: ReceivedReason;
  message: string;
  requestId?: string;
  retryAfterMs?: number;
}

/** The API refused or failed a request: `reason` is the stable machine-readable cause (e.g. CHAT_NOT_FOUND). */
export class TalkApiError extends Error {
  /** The API's status name, e.g. NOT_FOUND. */
  readonly status: ErrorStatus;
  /** The HTTP status code, e.g. 404. */
  readonly httpStatus: number;
  /** A stable machine-readable reason, e.g. CHAT_NOT_FOUND or PARENT_IN_OTHER_CHAT. */
  readonly reason: ReceivedReason;
  /** The request id (the `X-Request-Id` of the response), for the server's logs. */
  readonly requestId?: string;
  /** From `Retry-After`, when the API said when to try again (429, 503). */
  readonly retryAfterMs?: number;

  constructor(init: TalkApiErrorInit) {
    super(init.message);
    this.name = "TalkApiError";
    this.status = init.status;
    this.httpStatus = init.httpStatus;
    this.reason = init.reason;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** The error of an error body outside HTTP (a WebSocket error frame). */
  static fromBody(
    body: { status: string; reason: string; message: string },
    requestId?: string,
  ): TalkApiError {
    const status = isErrorStatus(body.status) ? body.status : "INTERNAL";
    const httpStatus = Number(
      Object.keys(STATUS_OF_HTTP).find((code) => STATUS_OF_HTTP[Number(code)] === status) ?? 500,
    );
    return new TalkApiError({ httpStatus, status, reason: body.reason, message: body.message, requestId });
  }

  /** The error of a non-2xx response: the API's envelope when there is one, else one made from the HTTP code. */
  static fromResponse(
    httpStatus: number,
    body: unknown,
    requestId?: string,
    retryAfterMs?: number,
  ): TalkApiError {
    const envelope = errorEnvelope(body);
    const status =
      envelope?.status ?? STATUS_OF_HTTP[httpStatus] ?? (httpStatus >= 500 ? "INTERNAL" : "INVALID_ARGUMENT");
    return new TalkApiError({
      httpStatus,
      status,
      reason: envelope?.reason ?? `HTTP_${httpStatus}`,
      message: envelope?.message ?? `The server answered HTTP ${httpStatus}.`,
      requestId: envelope?.request_id ?? requestId,
      retryAfterMs,
    });
  }
}

/** No response arrived (network failure, timeout), even after retrying. */
export class TalkConnectionError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "TalkConnectionError";
  }
}

interface ErrorEnvelope {
  status: ErrorStatus;
  reason: string;
  message: string;
  request_id?: string;
}

function errorEnvelope(body: unknown): ErrorEnvelope | undefined {
  if (!body || typeof body !== "object" || !("error" in body)) return undefined;
  const error: unknown = body.error;
  if (!error || typeof error !== "object") return undefined;
  const { status, reason, message, request_id } = error as Record<string, unknown>;
  if (!isErrorStatus(status) || typeof reason !== "string" || typeof message !== "string") return undefined;
  return {
    status,
    reason,
    message,
    request_id: typeof request_id === "string" ? request_id : undefined,
  };
}

function isErrorStatus(value: unknown): value is ErrorStatus {
  return typeof value === "string" && Object.values(STATUS_OF_HTTP).some((status) => status === value);
}
