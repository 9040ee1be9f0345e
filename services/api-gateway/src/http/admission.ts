/**
 * Admission control: a gateway replica serves at most `limit` API requests at once and refuses the
 * next at once — 503 OVERLOADED with `Retry-After: 1`, before its body is read or a service is
 * called — instead of queueing it behind work it cannot finish in time. Under twice the load it can
 * serve, the accepted requests keep their latency and the excess learns in a millisecond to retry,
 * rather than every request waiting until its RPC times out (docs/operations.md, "Overload").
 */
import { AppError } from "@talk/contracts";
import type { NextFunction, Request, Response } from "express";
import type { GatewayMetrics } from "../metrics";

export function admission(limit: number, { inFlight: gauge, shed }: GatewayMetrics) {
  let inFlight = 0;
  return (_req: Request, res: Response, next: NextFunction): void => {
    if (inFlight >= limit) {
      shed.inc();
      res.setHeader("Retry-After", "1");
      next(
        new AppError(
          "UNAVAILABLE",
          "OVERLOADED",
          `This gateway is serving its limit of ${limit} requests at once; retry in a second.`,
        ),
      );
      return;
    }
    gauge.set(++inFlight);
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      gauge.set(--inFlight);
    };
    res.once("finish", release);
    res.once("close", release);
    next();
  };
}
