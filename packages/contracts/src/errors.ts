/**
 * The error vocabulary: a few named statuses cross every boundary (RPC replies, HTTP responses)
 * as data. Each status maps to exactly one HTTP code, once, here.
 */
export const ERROR_HTTP_STATUS = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  /** A byte range outside the resource (HTTP Range on a file's content). */
  RANGE_NOT_SATISFIABLE: 416,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorStatus = keyof typeof ERROR_HTTP_STATUS;

/**
 * Every `reason` an error may carry: the stable, machine-readable vocabulary clients branch on
 * (the OpenAPI document's `Error.reason` enum, the SDK's union). A new reason is added here first.
 */
export const ERROR_REASONS = [
  // input (400)
  "INVALID_ARGUMENT",
  "MALFORMED_JSON",
  "MISSING_BODY",
  "MALFORMED_PATH",
  "MALFORMED_BODY_ENCODING",
  "BODY_TOO_DEEP",
  "UNSUPPORTED_ENCODING",
  "INVALID_PAGE_SIZE",
  "INVALID_PAGE_TOKEN",
  "INVALID_IDEMPOTENCY_KEY",
  "EMPTY_MESSAGE",
  "SYSTEM_MESSAGE_FORBIDDEN",
  "MESSAGE_DELETED",
  "PARENT_IN_OTHER_CHAT",
  "NOT_A_CHANNEL",
  "DIRECT_CHAT_NEEDS_ONE_OTHER",
  "DIRECT_CHAT_FULL",
  "IDS_REQUIRED",
  "TOO_MANY_IDS",
  "MENTION_NOT_PARTICIPANT",
  // authentication (401)
  "TOKEN_MISSING",
  "TOKEN_INVALID",
  "TOKEN_EXPIRED",
  "INVALID_CREDENTIALS",
  // permission (403)
  "ADMIN_ONLY",
  "NOT_A_PARTICIPANT",
  "NOT_THE_AUTHOR",
  "SYSTEM_MESSAGE_IMMUTABLE",
  "NOT_CHAT_CREATOR",
  "DIRECT_CHAT_MEMBERS_FIXED",
  "ORIGIN_NOT_ALLOWED",
  // not found (404)
  "ROUTE_NOT_FOUND",
  "AGENT_NOT_FOUND",
  "CUSTOMER_NOT_FOUND",
  "CHAT_NOT_FOUND",
  "PARTICIPANT_NOT_FOUND",
  "MESSAGE_NOT_FOUND",
  "PARENT_NOT_FOUND",
  // conflict (409), size (413), rate (429)
  "USERNAME_TAKEN",
  "TOO_MANY_REACTIONS",
  "TOO_MANY_PINS",
  "IDEMPOTENCY_KEY_REUSED",
  "BODY_TOO_LARGE",
  "TOO_MANY_LOGINS",
  "LOGIN_BUSY",
  "WRITE_RATE_LIMITED",
  // availability (503) and internal (500)
  "RPC_TIMEOUT",
  "RPC_NO_SERVER",
  "BUS_CLOSED",
  "BROKER_CONNECTION_LOST",
  "BROKER_UNAVAILABLE",
  "DEPENDENCY_UNAVAILABLE",
  "EVENT_PUBLISH_TIMEOUT",
  "REPLICA_BEHIND",
  "OVERLOADED",
  "INTERNAL",
  // between services (RPC): a caller or a service broke the protocol
  "UNKNOWN_OPERATION",
  "WRONG_QUEUE",
  "MALFORMED_REQUEST",
  "MALFORMED_REPLY",
  "INVALID_RESPONSE",
  // the WebSocket (services/push): upgrade refusals, frame and topic errors, resync_required
  "NOT_FOUND",
  "UPGRADE_REQUIRED",
  "CURSOR_MALFORMED",
  "CURSOR_EXPIRED",
  "CURSOR_UNKNOWN",
  "PUSH_NOT_READY",
  "TOO_MANY_CONNECTIONS",
  "TOO_MANY_CONNECTIONS_FOR_AGENT",
  "TOO_MANY_CONNECTIONS_FROM_ADDRESS",
  "BINARY_FRAME",
  "MALFORMED_FRAME",
  "TOPIC_MALFORMED",
  "TOPIC_FORBIDDEN",
  "CHAT_DELETED",
  "TOO_MANY_TOPICS",
  "TOO_MANY_FRAMES",
  "CHAT_MANAGER_UNAVAILABLE",
  // files
  "FILE_NAME_MISSING",
  "FILE_NAME_TOO_LONG",
  "CONTENT_TYPE_INVALID",
  "MULTIPART_INVALID",
  "FILE_MISSING",
  "FILE_TOO_LARGE",
  "FILE_NOT_FOUND",
  "FILE_DELETED",
  "NOT_FILE_OWNER",
  "RANGE_NOT_SATISFIABLE",
  "FILE_MANAGER_UNAVAILABLE",
  // a message's file media (400): no such file of the caller's customer, deleted, or not fully uploaded
  "MEDIA_FILE_NOT_FOUND",
  "MEDIA_FILE_DELETED",
  "MEDIA_FILE_UPLOADING",
] as const;

export type ErrorReason = (typeof ERROR_REASONS)[number];

/** The serialisable form of an error, as carried in RPC replies and the HTTP error envelope. */
export interface ErrorBody {
  status: ErrorStatus;
  /** A stable machine-readable reason, e.g. CHAT_NOT_FOUND. */
  reason: ErrorReason;
  /** A sentence a person understands. */
  message: string;
  /** For a rate limit: the budget that ran out, and when a request fits again. */
  rate_limit?: RateLimitState;
}

/** A token bucket's state as a refused caller sees it (the RateLimit-* and Retry-After headers). */
export interface RateLimitState {
  /** Requests the bucket holds when full. */
  limit: number;
  remaining: number;
  /** Seconds until the next request fits. */
  reset_seconds: number;
}

export class AppError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly reason: ErrorReason,
    message: string,
    readonly rateLimit?: RateLimitState,
  ) {
    super(message);
    this.name = "AppError";
  }

  toBody(): ErrorBody {
    return {
      status: this.status,
      reason: this.reason,
      message: this.message,
      ...(this.rateLimit && { rate_limit: this.rateLimit }),
    };
  }

  static fromBody(body: ErrorBody): AppError {
    return new AppError(body.status, body.reason, body.message, body.rate_limit);
  }

  get httpStatus(): number {
    return ERROR_HTTP_STATUS[this.status];
  }
}

export const invalid = (reason: ErrorReason, message: string) =>
  new AppError("INVALID_ARGUMENT", reason, message);
export const notFound = (reason: ErrorReason, message: string) => new AppError("NOT_FOUND", reason, message);
export const forbidden = (reason: ErrorReason, message: string) =>
  new AppError("PERMISSION_DENIED", reason, message);
export const conflict = (reason: ErrorReason, message: string) => new AppError("CONFLICT", reason, message);
export const unauthenticated = (reason: ErrorReason, message: string) =>
  new AppError("UNAUTHENTICATED", reason, message);
export const unavailable = (reason: ErrorReason, message: string) =>
  new AppError("UNAVAILABLE", reason, message);

export function isErrorStatus(value: unknown): value is ErrorStatus {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(ERROR_HTTP_STATUS, value);
}

export function isErrorReason(value: unknown): value is ErrorReason {
  return typeof value === "string" && (ERROR_REASONS as readonly string[]).includes(value);
}
