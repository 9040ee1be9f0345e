/**
 * Strictly increasing timestamps within a scope (a customer, a chat): pagination by `tm_create`
 * never skips or repeats an item when two are created in the same microsecond.
 */
import { normalizeTimestamp } from "@talk/contracts";
import type { Knex } from "knex";

/** The database's current UTC time, or one microsecond after `previous` if that is not later. */
export async function nextTimestamp(
  trx: Knex.Transaction | Knex,
  previous: string | null | undefined,
): Promise<string> {
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

/** One microsecond after a timestamp (wire format in and out). */
export function addMicrosecond(timestamp: string): string {
  const [date, time] = normalizeTimestamp(timestamp).split(" ");
  const [hms, fraction] = time.split(".");
  const micros = Number(fraction) + 1;
  if (micros < 1_000_000) return `${date} ${hms}.${String(micros).padStart(6, "0")}`;
  const next = new Date(Date.parse(`${date}T${hms}Z`) + 1000).toISOString();
  return `${next.slice(0, 10)} ${next.slice(11, 19)}.000000`;
}

/**
 * The next timestamp of a scope without asking the database again: `now` (the database's clock,
 * read once for a batch), or one microsecond after `previous` if that is not later.
 */
export function nextTimestampAfter(now: string, previous: string | null | undefined): string {
  const current = normalizeTimestamp(now);
  if (!previous) return current;
  const last = normalizeTimestamp(previous);
  return current > last ? current : addMicrosecond(last);
}
