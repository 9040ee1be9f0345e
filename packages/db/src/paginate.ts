/**
 * The API's pagination: newest first by `tm_create`; the token is the `tm_create` of the last item
 * returned and the next page holds items strictly older. Timestamps are unique within a listing's
 * scope (see clock.ts), so no item is skipped or repeated. `next_page_token` is "" on the last page.
 */
import { type PageRequest, normalizeTimestamp } from "@talk/contracts";
import type { Knex } from "knex";

export const DEFAULT_PAGE_SIZE = 100;

export async function paginate<Row extends { tm_create: string }>(
  query: Knex.QueryBuilder,
  page: PageRequest,
  column = "tm_create",
): Promise<{ rows: Row[]; next_page_token: string }> {
  const size = page.page_size ?? DEFAULT_PAGE_SIZE;
  if (page.page_token) query.where(column, "<", page.page_token);
  const rows: Row[] = await query.orderBy(column, "desc").limit(size + 1);
  const more = rows.length > size;
  const result = more ? rows.slice(0, size) : rows;
  return {
    rows: result,
    next_page_token: more ? normalizeTimestamp(result[result.length - 1].tm_create) : "",
  };
}
