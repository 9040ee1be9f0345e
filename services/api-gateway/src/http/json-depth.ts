/**
 * A bound on how deeply a request body nests. No request of the API nests deeper than a few levels;
 * a body nested 100,000 levels deep would overflow the stack of anything that walks it recursively
 * (the Idempotency-Key fingerprint's JSON.stringify, a validator), so it is refused before them.
 */
import { LIMITS, invalid } from "@talk/contracts";
import type { NextFunction, Request, Response } from "express";

/** The nesting depth of a parsed JSON value (a scalar is 0), counted without recursion. */
export function depthOf(value: unknown, stopAbove = Infinity): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [current, depth] = next;
    if (current === null || typeof current !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > stopAbove) return deepest;
    for (const item of Object.values(current)) pending.push([item, depth + 1]);
  }
  return deepest;
}

export function boundedJsonDepth(req: Request, _res: Response, next: NextFunction): void {
  if (req.body !== undefined && depthOf(req.body, LIMITS.jsonDepth) > LIMITS.jsonDepth)
    return next(invalid("BODY_TOO_DEEP", `The request body nests deeper than ${LIMITS.jsonDepth} levels.`));
  next();
}
