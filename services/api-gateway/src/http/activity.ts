/**
 * Every authenticated API call is activity of its agent (presence: it keeps the agent from
 * turning `away`). Reported to the presence owner as a `presence.activity` signal, at most once
 * per agent per `ACTIVITY_REPORT_MS` from this gateway; never delays or fails the request.
 */
import type { Bus } from "@talk/bus";
import { ACTIVITY_REPORT_MS } from "@talk/contracts";
import { KeyedThrottle, type Logger } from "@talk/kit";
import type { NextFunction, Request, Response } from "express";

export function reportActivity(bus: Bus, logger: Logger) {
  const throttle = new KeyedThrottle(ACTIVITY_REPORT_MS);
  return (req: Request, _res: Response, next: NextFunction): void => {
    const caller = req.caller;
    if (caller && throttle.pass(caller.agent_id)) {
      try {
        bus.signal({
          type: "presence.activity",
          data: { customer_id: caller.customer_id, agent_id: caller.agent_id },
        });
      } catch (err) {
        logger.debug({ err }, "Could not report activity");
      }
    }
    next();
  };
}
