/** The one place where errors become HTTP: the SPEC's envelope with the status that fits. */
import { AppError, ERROR_HTTP_STATUS } from "@talk/contracts";
import type { Logger } from "@talk/kit";
import type { NextFunction, Request, Response } from "express";

/** Errors of express itself and its body parser: each a client's mistake, named as such. */
function fromExpress(error: unknown): AppError | undefined {
  if (!error || typeof error !== "object") return undefined;
  if (error instanceof URIError)
    return new AppError(
      "INVALID_ARGUMENT",
      "MALFORMED_PATH",
      "The request path has invalid percent-encoding (like %ZZ).",
    );
  const { type, code } = error as { type?: unknown; code?: unknown };
  if (typeof code === "string" && code.startsWith("Z_"))
    return new AppError(
      "INVALID_ARGUMENT",
      "MALFORMED_BODY_ENCODING",
      "The request body does not match its Content-Encoding (gzip, deflate or br).",
    );
  switch (type) {
    case "entity.too.large":
      return new AppError(
        "PAYLOAD_TOO_LARGE",
        "BODY_TOO_LARGE",
        "The request body is larger than the limit.",
      );
    case "entity.parse.failed":
      return new AppError("INVALID_ARGUMENT", "MALFORMED_JSON", "The request body is not valid JSON.");
    case "encoding.unsupported":
    case "charset.unsupported":
      return new AppError(
        "INVALID_ARGUMENT",
        "UNSUPPORTED_ENCODING",
        "The request body's encoding is not supported.",
      );
    default:
      return undefined;
  }
}

export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let appError = error instanceof AppError ? error : fromExpress(error);
    if (!appError) {
      logger.error({ err: error, request_id: req.requestId, path: req.path }, "unhandled error");
      appError = new AppError(
        "INTERNAL",
        "INTERNAL",
        "Something went wrong on our side; the request id helps us find it.",
      );
    }
    const { rateLimit } = appError;
    if (rateLimit) {
      res.setHeader("Retry-After", String(rateLimit.reset_seconds));
      res.setHeader("RateLimit-Limit", String(rateLimit.limit));
      res.setHeader("RateLimit-Remaining", String(rateLimit.remaining));
      res.setHeader("RateLimit-Reset", String(rateLimit.reset_seconds));
    } else if (appError.status === "RESOURCE_EXHAUSTED" && !res.getHeader("Retry-After"))
      res.setHeader("Retry-After", "60");
    res
      .status(ERROR_HTTP_STATUS[appError.status])
      .json({ error: { ...appError.toBody(), rate_limit: undefined, request_id: req.requestId } });
  };
}

export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new AppError("NOT_FOUND", "ROUTE_NOT_FOUND", `No route ${req.method} ${req.path} exists.`));
}
