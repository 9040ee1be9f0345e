/**
 * Several statements in one round trip. On a PostgreSQL server they go as one simple-protocol query
 * (in a transaction, each statement still takes its own snapshot, as if sent one by one); PGlite
 * answers one statement per call, so there they go one after the other. Simple-protocol statements
 * carry no parameters: values are written into them, and only as checked literals (`uuidLiterals`).
 */
import { UUID_RE } from "@talk/contracts";
import type { Knex } from "knex";

type Db = Knex | Knex.Transaction;

/** True for a knex instance on a PostgreSQL server (the `pg` driver), false on PGlite. */
export function onServer(db: Db): boolean {
  return (db.client as { config?: { client?: unknown } }).config?.client === "pg";
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

/** `'…'::uuid, '…'::uuid`: UUIDs as SQL literals, after checking each is one (throws otherwise). */
export function uuidLiterals(ids: readonly string[]): string {
  return ids
    .map((id) => {
      if (!UUID_RE.test(id)) throw new TypeError(`not a UUID: ${JSON.stringify(id)}`);
      return `'${id}'::uuid`;
    })
    .join(", ");
}
