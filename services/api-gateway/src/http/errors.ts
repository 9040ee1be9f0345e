/** The one place where errors become HTTP: the SPEC's envelope with the status that fits. */
import { AppError, ERROR_HTTP_STATUS } from "@talk/contracts";
import { clientErrorOfHttp, type Logger } from "@talk/kit";
import type { NextFunction, Request, Response } from "express";

export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let appError = error instanceof AppError ? error : clientErrorOfHttp(error);
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
