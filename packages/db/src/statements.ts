/**
 * Several statements in one round trip. On a PostgreSQL server they go as one simple-protocol query
 * (in a transaction, each statement still takes its own snapshot, as if sent one by one); PGlite
 * answers one statement per call, so there they go one after the other. Simple-protocol statements
 * carry no parameters: values are written into them, and only as checked literals (`uuidLiterals`).
 */
import { UUID_RE } from "@talk/contracts";
import type { Knex } from "knex";

type Db = Knex | Knex.Transaction;

/**
 * True for a knex instance on a PostgreSQL server — the `pg` driver, on one host or through the
 * read-write client over a host list (DATABASE_HOSTS) — and false on PGlite.
 */
export function onServer(db: Db): boolean {
  const client = (db.client as { config?: { client?: unknown } }).config?.client;
  return client === "pg" || (client as { onServer?: unknown } | undefined)?.onServer === true;
}

/** Runs `statements` in order, in one round trip where the database allows; the rows of each. */
export async function runStatements<Row = Record<string, unknown>>(
  db: Db,
  statements: string[],
): Promise<Row[][]> {
  if (statements.length === 0) return [];
  if (!onServer(db)) {
    const results: Row[][] = [];
    for (const sql of statements) results.push(((await db.raw(sql)) as { rows: Row[] }).rows);
    return results;
  }
  // No bindings: knex hands the text to pg as is, and pg sends a simple query, which answers one
  // result per statement (a single result when there is one statement).
  const answer = (await db.raw(statements.join(";\n"))) as { rows: Row[] } | { rows: Row[] }[];
  return Array.isArray(answer) ? answer.map((r) => r.rows) : [answer.rows];
}

/** A statement and its bindings, to run on its own or as a part of a caller's statement (`runAsOne`). */
export interface Statement {
  sql: string;
  bindings: Knex.RawBinding[];
}

/**
 * Runs data-modifying statements (insert, update, delete; no `with` of their own) as one: every
 * statement but the last becomes a common table expression of the last. One round trip, and they
 * all see the same snapshot, so they must not touch the same rows.
 */
export async function runAsOne(db: Db, statements: Statement[]): Promise<void> {
  if (statements.length === 0) return;
  const { sql, bindings } = asOne(statements);
  await db.raw(sql, bindings);
}

/** `runAsOne`'s statement: every statement but the last a common table expression of the last. */
export function asOne(statements: Statement[]): Statement {
  if (statements.length === 0) throw new Error("no statements to run as one");
  const last = statements[statements.length - 1];
  const parts = statements.slice(0, -1).map((statement, i) => `s${i} as (${statement.sql})`);
  return {
    sql: `${parts.length > 0 ? `with ${parts.join(", ")} ` : ""}${last.sql}`,
    bindings: statements.flatMap((statement) => statement.bindings),
  };
}

/** `'…'::uuid, '…'::uuid`: UUIDs as SQL literals, after checking each is one (throws otherwise). */
export function uuidLiterals(ids: readonly string[]): string {
  return ids
    .map((id) => {
      if (!UUID_RE.test(id)) throw new TypeError(`not a UUID: ${JSON.stringify(id)}`);
      return `'${id}'::uuid`;
    })
    .join(", ");
}

/** The parts of knex's client `prepared` uses to run a statement on a pooled session itself. */
interface KnexClientInternals {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
  positionBindings(sql: string): string;
  /** The dialect's own run of a statement (the read-write client's override included). */
  _query(
    connection: unknown,
    obj: { sql: string; bindings: readonly Knex.RawBinding[]; options: { name: string } },
  ): Promise<{ response: { rows: unknown[] } }>;
}

/** Per knex client: each prepared statement's text with `$n` placeholders, by name. */
const positioned = new WeakMap<object, Map<string, string>>();

/**
 * A read kept prepared under `name` on each pooled session (a server-side prepared statement):
 * parsed and planned once per session — after five runs PostgreSQL keeps a generic plan when it
 * costs no more than the custom ones — instead of on every call. For the hot reads by id, planning
 * cost PostgreSQL several times more than running them (`bench/src/profile-latency.ts --statements`).
 * The text must be the same on every call under a name (the values go in `bindings`), and should
 * name its columns: with a `*`, a migration that adds a column under a running service would break
 * the prepared statement's result type. On PGlite (one session, no pool) it is an ordinary
 * parameterised query.
 *
 * Outside a transaction on a server it skips knex's query builder and runner: a session from knex's
 * pool, the statement through the dialect's own `_query` (so the read-write client still sees its
 * errors), the session back — the text's `?` placeholders turned into `$n` once per name. At
 * concurrency 1 knex's path (raw formatting, runner, events) cost each manager about a tenth of a
 * millisecond per hot read before the statement reached the socket.
 */
export async function prepared<Row = Record<string, unknown>>(
  db: Db,
  name: string,
  sql: string,
  bindings: readonly Knex.RawBinding[],
): Promise<Row[]> {
  const onPglite = (db.client as { pglite?: unknown }).pglite !== undefined;
  if (onPglite) return ((await db.raw(sql, bindings)) as { rows: Row[] }).rows;
  if ((db as { isTransaction?: boolean }).isTransaction)
    return ((await db.raw(sql, bindings).options({ name })) as { rows: Row[] }).rows;
  const client = db.client as unknown as KnexClientInternals;
  let texts = positioned.get(client);
  if (!texts) positioned.set(client, (texts = new Map()));
  let text = texts.get(name);
  if (text === undefined) texts.set(name, (text = client.positionBindings(sql)));
  const session = await client.acquireConnection();
  try {
    const { response } = await client._query(session, { sql: text, bindings, options: { name } });
    return response.rows as Row[];
  } finally {
    await client.releaseConnection(session);
  }
}
