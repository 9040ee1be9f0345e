/**
 * Idempotent writes: a retried request with the same Idempotency-Key takes effect once. The key is
 * recorded in the same transaction as the write, so the effect and the record commit together; a
 * retry (even concurrent: it waits on the key's row) gets the first result back. The same key with
 * a different request is a 409. Records live for IDEMPOTENCY_TTL_HOURS.
 */
import { conflict } from "@talk/contracts";
import type { Knex } from "knex";
import type { Migration } from "./migrate";

export const IDEMPOTENCY_TABLE = "idempotency_keys";
export const IDEMPOTENCY_TTL_HOURS = 24;

export interface IdempotencyKey {
  /** Who the key belongs to (the agent). */
  scope: string;
  key: string;
  /** A hash of the request (method, path, body): the same key must come with the same request. */
  fingerprint: string;
}

export const idempotencyMigration: Migration = {
  name: "000_idempotency_keys",
  async up(db) {
    await db.schema.createTable(IDEMPOTENCY_TABLE, (t) => {
      t.string("scope", 64).notNullable();
      t.string("key", 255).notNullable();
      t.string("fingerprint", 128).notNullable();
      t.jsonb("response");
      t.specificType("tm_create", "timestamp(6)").notNullable().defaultTo(db.raw("(clock_timestamp() at time zone 'utc')"));
      t.primary(["scope", "key"]);
      t.index(["tm_create"]);
    });
  },
};

/** Runs `work` once per key inside `trx`; a repeat returns the stored result without running it. */
export async function oncePerKey<T>(trx: Knex.Transaction, idempotency: IdempotencyKey | undefined, work: () => Promise<T>): Promise<T> {
  if (!idempotency) return work();
  const { scope, key, fingerprint } = idempotency;
  const claimed = await trx(IDEMPOTENCY_TABLE).insert({ scope, key, fingerprint }).onConflict(["scope", "key"]).ignore().returning("key");
  if (claimed.length === 0) {
    const row: { fingerprint: string; response: unknown } = await trx(IDEMPOTENCY_TABLE).where({ scope, key }).first("fingerprint", "response");
    if (row.fingerprint !== fingerprint)
      throw conflict("IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was already used for a different request.");
    return (typeof row.response === "string" ? JSON.parse(row.response) : row.response) as T;
  }
  const result = await work();
  await trx(IDEMPOTENCY_TABLE).where({ scope, key }).update({ response: JSON.stringify(result) });
  return result;
}

/** Forgets keys older than their lifetime. */
export async function expireIdempotencyKeys(db: Knex, ttlHours = IDEMPOTENCY_TTL_HOURS): Promise<number> {
  const removed = await db(IDEMPOTENCY_TABLE)
    .where("tm_create", "<", db.raw(`(clock_timestamp() at time zone 'utc') - interval '${Number(ttlHours)} hours'`))
    .delete()
    .returning("key");
  return removed.length;
}
