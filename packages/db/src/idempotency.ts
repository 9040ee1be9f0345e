/**
 * Idempotent writes: a retried request with the same Idempotency-Key takes effect once. The key is
 * recorded in the same transaction as the write, so the effect and the record commit together; a
 * retry (even concurrent: it waits on the key's row) gets the first result back. The same key with
 * a different request is a 409. Records live for IDEMPOTENCY_TTL_HOURS.
 */
import { type Idempotency, conflict } from "@talk/contracts";
import type { Knex } from "knex";
import type { Migration } from "./migrate";
import type { Statement } from "./statements";

export const IDEMPOTENCY_TABLE = "idempotency_keys";
export const IDEMPOTENCY_TTL_HOURS = 24;

export interface IdempotencyKey {
  /** Who the key belongs to (the agent). */
  scope: string;
  key: string;
  /** A hash of the request (method, path, body): the same key must come with the same request. */
  fingerprint: string;
}

/**
 * The one place a key gets its scope: an Idempotency-Key belongs to the agent that sent it, so two
 * agents (two admins of one customer, too) never share one.
 */
export function agentKey(agentId: string, idempotency: Idempotency): IdempotencyKey;
export function agentKey(agentId: string, idempotency: Idempotency | undefined): IdempotencyKey | undefined;
export function agentKey(agentId: string, idempotency: Idempotency | undefined): IdempotencyKey | undefined {
  return idempotency && { scope: agentId, key: idempotency.key, fingerprint: idempotency.fingerprint };
}

export const idempotencyMigration: Migration = {
  name: "000_idempotency_keys",
  async up(db) {
    await db.schema.createTable(IDEMPOTENCY_TABLE, (t) => {
      t.string("scope", 64).notNullable();
      t.string("key", 255).notNullable();
      t.string("fingerprint", 128).notNullable();
      t.jsonb("response");
      t.specificType("tm_create", "timestamp(6)")
        .notNullable()
        .defaultTo(db.raw("(clock_timestamp() at time zone 'utc')"));
      t.primary(["scope", "key"]);
      t.index(["tm_create"]);
    });
  },
};

/** The answer to a key that comes back with a different request. */
export const idempotencyKeyReused = () =>
  conflict("IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was already used for a different request.");

/**
 * Runs `work` once per key inside `trx`; a repeat returns the stored result without running it.
 * The one-key case of `claimKeys` and `recordResponses`, which batches use directly.
 */
export async function oncePerKey<T>(
  trx: Knex.Transaction,
  idempotency: IdempotencyKey | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (!idempotency) return work();
  const claim = keyClaimOf(await claimKeys<T>(trx, [idempotency]), idempotency);
  if (claim && !claim.claimed) {
    if (claim.fingerprint !== idempotency.fingerprint) throw idempotencyKeyReused();
    return claim.response;
  }
  const result = await work();
  await recordResponses(trx, [{ key: idempotency, response: result }]);
  return result;
}

/** Forgets keys older than their lifetime. */
export async function expireIdempotencyKeys(db: Knex, ttlHours = IDEMPOTENCY_TTL_HOURS): Promise<number> {
  const removed = await db(IDEMPOTENCY_TABLE)
    .where(
      "tm_create",
      "<",
      db.raw(`(clock_timestamp() at time zone 'utc') - interval '${Number(ttlHours)} hours'`),
    )
    .delete()
    .returning("key");
  return removed.length;
}

/** Where a key of a batch stands once claimed (see `claimKeys`). */
export type KeyClaim<T> =
  | { claimed: true }
  /** Already used: the first result, or a conflict if the request differs. */
  | { claimed: false; fingerprint: string; response: T };

const keyOf = (k: Pick<IdempotencyKey, "scope" | "key">) => `${k.scope}\u0000${k.key}`;

/**
 * Idempotency for a batch of distinct keys in one transaction: claims them all with one statement
 * (in a fixed order, so concurrent batches cannot deadlock on each other) and reads back the ones
 * already used. The caller then does the work of the claimed ones and calls `recordResponses` —
 * or `releaseKeys` for claimed keys whose work it leaves out of this transaction.
 */
export async function claimKeys<T>(
  trx: Knex.Transaction,
  keys: IdempotencyKey[],
): Promise<Map<string, KeyClaim<T>>> {
  const claims = new Map<string, KeyClaim<T>>();
  if (keys.length === 0) return claims;
  const sorted = [...keys].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  const inserted: { scope: string; key: string }[] = await trx(IDEMPOTENCY_TABLE)
    .insert(sorted.map(({ scope, key, fingerprint }) => ({ scope, key, fingerprint })))
    .onConflict(["scope", "key"])
    .ignore()
    .returning(["scope", "key"]);
  for (const row of inserted) claims.set(keyOf(row), { claimed: true });
  const used = sorted.filter((k) => !claims.has(keyOf(k)));
  if (used.length > 0) {
    const rows: { scope: string; key: string; fingerprint: string; response: unknown }[] = await trx(
      IDEMPOTENCY_TABLE,
    )
      .whereIn(
        ["scope", "key"],
        used.map((k) => [k.scope, k.key]),
      )
      .select("scope", "key", "fingerprint", "response");
    for (const row of rows)
      claims.set(keyOf(row), {
        claimed: false,
        fingerprint: row.fingerprint,
        response: (typeof row.response === "string" ? JSON.parse(row.response) : row.response) as T,
      });
  }
  return claims;
}

/**
 * `claimKeys` as statements to run in a step of a caller's transaction (FoldedTransaction), with
 * `read` turning their rows into the claims: the insert that claims, then — a statement of its own,
 * so it sees keys whose first transaction committed while the insert waited for it — the keys read
 * back (the claimed ones too: this transaction's own rows). Two statements, always.
 */
export function claimingKeys<T>(keys: IdempotencyKey[]): {
  statements: Statement[];
  read(inserted: Record<string, unknown>[], found: Record<string, unknown>[]): Map<string, KeyClaim<T>>;
} {
  const sorted = [...keys].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  const rows = JSON.stringify(sorted.map(({ scope, key, fingerprint }) => ({ scope, key, fingerprint })));
  return {
    statements: [
      {
        sql: `insert into ${IDEMPOTENCY_TABLE} (scope, key, fingerprint)
              select scope, key, fingerprint from jsonb_to_recordset(?::jsonb) as k(scope text, key text, fingerprint text)
              on conflict (scope, key) do nothing returning scope, key`,
        bindings: [rows],
      },
      {
        sql: `select i.scope, i.key, i.fingerprint, i.response
                from jsonb_to_recordset(?::jsonb) as k(scope text, key text)
                join ${IDEMPOTENCY_TABLE} i on i.scope = k.scope and i.key = k.key`,
        bindings: [rows],
      },
    ],
    read(inserted, found) {
      const claims = new Map<string, KeyClaim<T>>();
      for (const row of inserted as { scope: string; key: string }[])
        claims.set(keyOf(row), { claimed: true });
      for (const row of found as { scope: string; key: string; fingerprint: string; response: unknown }[])
        if (!claims.has(keyOf(row)))
          claims.set(keyOf(row), {
            claimed: false,
            fingerprint: row.fingerprint,
            response: (typeof row.response === "string" ? JSON.parse(row.response) : row.response) as T,
          });
      return claims;
    },
  };
}

/** The statement that gives back claimed keys (`releaseKeys`), to run as a part of a caller's. */
export function releasingKeys(keys: IdempotencyKey[]): Statement {
  return {
    sql: `delete from ${IDEMPOTENCY_TABLE} as i using jsonb_to_recordset(?::jsonb) as k(scope text, key text)
           where i.scope = k.scope and i.key = k.key`,
    bindings: [JSON.stringify(keys.map(({ scope, key }) => ({ scope, key })))],
  };
}

export const keyClaimOf = <T>(claims: Map<string, KeyClaim<T>>, key: IdempotencyKey) =>
  claims.get(keyOf(key));

/** The statement that stores the results of claimed keys (see `recordResponses`). */
export function recordingResponses(results: { key: IdempotencyKey; response: unknown }[]): Statement {
  return {
    sql: `update ${IDEMPOTENCY_TABLE} as k set response = v.response
            from jsonb_to_recordset(?::jsonb) as v(scope text, key text, response jsonb)
           where k.scope = v.scope and k.key = v.key`,
    bindings: [
      JSON.stringify(results.map(({ key, response }) => ({ scope: key.scope, key: key.key, response }))),
    ],
  };
}

/** Stores the results of claimed keys (one statement). */
export async function recordResponses(
  trx: Knex.Transaction,
  results: { key: IdempotencyKey; response: unknown }[],
): Promise<void> {
  if (results.length === 0) return;
  const { sql, bindings } = recordingResponses(results);
  await trx.raw(sql, bindings);
}

/** Gives back claimed keys whose work was not done in this transaction. */
export async function releaseKeys(trx: Knex.Transaction, keys: IdempotencyKey[]): Promise<void> {
  if (keys.length === 0) return;
  await trx(IDEMPOTENCY_TABLE)
    .whereIn(
      ["scope", "key"],
      keys.map((k) => [k.scope, k.key]),
    )
    .delete();
}
