/**
 * Search (issue 12), without I/O: the search's page tokens and the highlighted snippet of a hit.
 * Which messages a caller may find is decided by the query itself (store/search-store.ts): those of
 * the chats the caller is a participant of, and of the customer's public channels when asked.
 */
import { invalid } from "@talk/contracts";

export type SearchOrder = "newest" | "relevance";

/** Where a page ends: the last hit's rank (for order=relevance), time and id. */
export interface SearchCursor {
  rank?: number;
  tm_create: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;

export function encodeCursor(order: SearchOrder, cursor: SearchCursor): string {
  const parts = [cursor.tm_create, cursor.id];
  return order === "relevance" ? [String(cursor.rank), ...parts].join("|") : parts.join("|");
}

/** Reads a page token back (`list`: what it pages, for the error). */
export function decodeCursor(order: SearchOrder, token: string, list = "this search"): SearchCursor {
  const parts = token.split("|");
  const [rank, tm, id] = order === "relevance" ? parts : [undefined, ...parts];
  const rankValue = rank === undefined ? undefined : Number(rank);
  const fits =
    parts.length === (order === "relevance" ? 3 : 2) &&
    TIME.test(tm ?? "") &&
    UUID.test(id ?? "") &&
    (rankValue === undefined || Number.isFinite(rankValue));
  if (!fits)
    throw invalid(
      "INVALID_PAGE_TOKEN",
      `page_token "${token.slice(0, 64)}" is not a next_page_token of ${list}${list === "this search" ? ` (order=${order})` : ""}.`,
    );
  return {
    ...(rankValue === undefined ? {} : { rank: rankValue }),
    tm_create: tm as string,
    id: id as string,
  };
}

/** The delimiters ts_headline puts around matches: control characters no message text needs. */
export const MATCH_START = "\u0002";
export const MATCH_STOP = "\u0003";

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The snippet as HTML: the text escaped, each match between <mark> and </mark>. */
export function snippetHtml(headline: string): string {
  return escapeHtml(headline).split(MATCH_START).join("<mark>").split(MATCH_STOP).join("</mark>");
}
