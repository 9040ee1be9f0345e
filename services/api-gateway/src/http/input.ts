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

/** query.page_size: defaults to 100 and is clamped to it. */
function pageSizeOf(req: Request): number {
  const size = req.query.page_size;
  if (size === undefined) return MAX_PAGE_SIZE;
  if (typeof size !== "string" || !/^\d+$/.test(size) || Number(size) < 1)
    throw invalid("INVALID_PAGE_SIZE", "query.page_size must be a positive integer.");
  return Math.min(Number(size), MAX_PAGE_SIZE);
}

/**
 * A page of a list across chats (messages of all my chats, mentions): the token is opaque to the
 * gateway (the service that made it checks it), at most 128 characters.
 */
export function feedPage(req: Request): { page_size: number; page_token?: string } {
  const pageSize = pageSizeOf(req);
  const token = req.query.page_token;
  if (token === undefined || token === "") return { page_size: pageSize };
  if (typeof token !== "string" || token.length > 128)
    throw invalid("INVALID_PAGE_TOKEN", "query.page_token must be a next_page_token from a previous page.");
  return { page_size: pageSize, page_token: token };
}

/** page_size defaults to 100 and is clamped to it; page_token is "" or a timestamp. */
export function page(req: Request): { page_size: number; page_token?: string } {
  const pageSize = pageSizeOf(req);
  const token = req.query.page_token;
  if (token === undefined || token === "") return { page_size: pageSize };
  if (typeof token !== "string" || !isTimestamp(token))
    throw invalid(
      "INVALID_PAGE_TOKEN",
      "query.page_token must be a next_page_token from a previous page (like 2024-01-17 10:30:00.000000).",
    );
  return { page_size: pageSize, page_token: token };
}
