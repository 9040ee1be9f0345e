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
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorStatus = keyof typeof ERROR_HTTP_STATUS;

/** The serialisable form of an error, as carried in RPC replies and the HTTP error envelope. */
export interface ErrorBody {
  status: ErrorStatus;
  /** A stable machine-readable reason, e.g. CHAT_NOT_FOUND. */
  reason: string;
  /** A sentence a person understands. */
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "AppError";
  }

  toBody(): ErrorBody {
    return { status: this.status, reason: this.reason, message: this.message };
  }

  static fromBody(body: ErrorBody): AppError {
    return new AppError(body.status, body.reason, body.message);
  }

  get httpStatus(): number {
    return ERROR_HTTP_STATUS[this.status];
  }
}

export const invalid = (reason: string, message: string) => new AppError("INVALID_ARGUMENT", reason, message);
export const notFound = (reason: string, message: string) => new AppError("NOT_FOUND", reason, message);
export const forbidden = (reason: string, message: string) =>
  new AppError("PERMISSION_DENIED", reason, message);
export const conflict = (reason: string, message: string) => new AppError("CONFLICT", reason, message);
export const unauthenticated = (reason: string, message: string) =>
  new AppError("UNAUTHENTICATED", reason, message);
export const unavailable = (reason: string, message: string) => new AppError("UNAVAILABLE", reason, message);

export function isErrorStatus(value: unknown): value is ErrorStatus {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(ERROR_HTTP_STATUS, value);
}
