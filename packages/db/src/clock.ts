/**
 * Strictly increasing timestamps within a scope (a customer, a chat): pagination by `tm_create`
 * never skips or repeats an item when two are created in the same microsecond.
 */
import { normalizeTimestamp } from "@talk/contracts";
import type { Knex } from "knex";

/** The database's current UTC time, or one microsecond after `previous` if that is not later. */
export async function nextTimestamp(trx: Knex.Transaction | Knex, previous: string | null | undefined): Promise<string> {
  const result: { rows: { ts: string }[] } = await trx.raw(
    "select greatest(clock_timestamp() at time zone 'utc', coalesce(?::timestamp, '-infinity'::timestamp) + interval '1 microsecond')::timestamp(6) as ts",
    [previous ?? null],
  );
  return normalizeTimestamp(result.rows[0].ts);
}

/** The database's current UTC time. */
export async function now(trx: Knex.Transaction | Knex): Promise<string> {
  return nextTimestamp(trx, null);
}
