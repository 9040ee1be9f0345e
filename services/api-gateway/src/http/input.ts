/** Reading request input against the contracts' schemas: bodies, path ids, and pagination. */
import { MAX_PAGE_SIZE, invalid, isTimestamp, uuid, validate } from "@talk/contracts";
import type { Request } from "express";

export function body<T>(req: Request, schema: object): T {
  if (req.body === undefined)
    throw invalid("MISSING_BODY", "The request needs a JSON body (Content-Type: application/json).");
  return validate<T>(schema, req.body, "body");
}

export function pathId(req: Request, name: string): string {
  return validate<string>(uuid, req.params[name], `path.${name}`);
}

/** page_size defaults to 100 and is clamped to it; page_token is "" or a timestamp. */
export function page(req: Request): { page_size: number; page_token?: string } {
  const { page_size: size, page_token: token } = req.query;
  let pageSize = MAX_PAGE_SIZE;
  if (size !== undefined) {
    if (typeof size !== "string" || !/^\d+$/.test(size) || Number(size) < 1)
      throw invalid("INVALID_PAGE_SIZE", "query.page_size must be a positive integer.");
    pageSize = Math.min(Number(size), MAX_PAGE_SIZE);
  }
  if (token === undefined || token === "") return { page_size: pageSize };
  if (typeof token !== "string" || !isTimestamp(token))
    throw invalid(
      "INVALID_PAGE_TOKEN",
      "query.page_token must be a next_page_token from a previous page (like 2024-01-17 10:30:00.000000).",
    );
  return { page_size: pageSize, page_token: token };
}
