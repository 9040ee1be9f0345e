/**
 * A transaction whose BEGIN travels with its first statements and whose COMMIT travels with its
 * last ones: on a PostgreSQL server a transaction of two steps (lock and read, then write) costs two
 * round trips instead of four. Each step is one simple-protocol query of several statements, so
 * values are written into the text as literals (escaped by pg's own `escapeLiteral`); on PGlite
 * (in its worker thread) a step is one call to the thread, its statements with their bindings.
 *
 * A step that fails leaves the transaction aborted: it is rolled back before the error is thrown
 * (statements after the failing one, the COMMIT included, did not run). Only a failure of the
 * connection itself during the last step leaves the outcome unknown (`outcomeUnknown`).
 */
import type { Knex } from "knex";
import pg from "pg";
import type { BoundStatement, PgliteLike } from "./pglite-thread";
import { type Statement, onServer } from "./statements";

/** A statement to run as a part of a step: plain SQL, or SQL with knex `?` bindings. */
export type StepStatement = string | Statement;

interface PgError {
  code?: unknown;
}

/**
 * True when an error of the last step may have come after the COMMIT was sent, so the transaction
 * may have committed: the connection failed (no SQLSTATE from the server) or the server is
 * shutting down or crashed (classes 08, 57, 58, XX). An error the server answered for a statement
 * (a constraint, a type, a lock timeout) skipped the COMMIT: nothing of the transaction happened.
 */
export function outcomeUnknown(error: unknown): boolean {
  const code = (error as PgError | undefined)?.code;
  if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return ["08", "57", "58", "XX"].includes(code.slice(0, 2));
}

export class FoldedTransaction {
  private begun = false;
  private ended = false;

  private constructor(
    private readonly db: Knex,
    private readonly connection: unknown,
    private readonly server: boolean,
    /** Gives the connection back to the pool (once). */
    private readonly release: () => Promise<void>,
  ) {}

  /**
   * Runs `work` in a transaction on one connection of `db`'s pool. `work` calls `step` for its
   * reads and writes and ends with `commit` (its last writes with the COMMIT); if it returns
   * without committing, what it did is committed then.
   */
  static async run<T>(db: Knex, work: (trx: FoldedTransaction) => Promise<T>): Promise<T> {
    const client = db.client as {
      acquireConnection(): Promise<unknown>;
      releaseConnection(connection: unknown): Promise<unknown>;
    };
    const connection = await client.acquireConnection();
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await client.releaseConnection(connection);
    };
    const trx = new FoldedTransaction(db, connection, onServer(db), release);
    try {
      const value = await work(trx);
      if (!trx.ended) await trx.commit([]);
      return value;
    } catch (error) {
      if (trx.begun && !trx.ended) await trx.rollback();
      throw error;
    } finally {
      await release();
    }
  }

  /** Runs statements in the transaction (the first step begins it); the rows of each. */
  step<Row = Record<string, unknown>>(statements: StepStatement[]): Promise<Row[][]> {
    if (this.ended) throw new Error("the transaction has ended");
    const begin = !this.begun;
    this.begun = true;
    return this.run<Row>(statements, { begin, commit: false });
  }

  /** Runs the last statements and commits, in one round trip; the rows of each statement. */
  async commit<Row = Record<string, unknown>>(statements: StepStatement[]): Promise<Row[][]> {
    if (this.ended) throw new Error("the transaction has ended");
    if (!this.begun && statements.length === 0) {
      this.ended = true;
      return [];
    }
    const begin = !this.begun;
    this.begun = true;
    try {
      const rows = await this.run<Row>(statements, { begin, commit: true });
      this.ended = true;
      return rows;
    } catch (error) {
      // The server skipped the COMMIT after a failed statement: the transaction is still open and
      // aborted, and is rolled back. If the connection failed, there is nothing to roll back on it.
      // PGlite's thread rolled it back itself (the connection may already be another caller's).
      if (outcomeUnknown(error) || !this.server) this.ended = true;
      throw error;
    }
  }

  private async rollback(): Promise<void> {
    this.ended = true;
    const rollback = this.server
      ? (this.connection as pg.Client).query("rollback")
      : this.db.raw("rollback").connection(this.connection);
    await rollback.then(
      () => undefined,
      () => undefined,
    );
  }

  private async run<Row>(
    statements: StepStatement[],
    { begin, commit }: { begin: boolean; commit: boolean },
  ): Promise<Row[][]> {
    if (!this.server) {
      // PGlite (in its thread): the statements with their bindings, BEGIN and COMMIT included, in
      // one call; it stops at the first that fails, as a server does in a simple query.
      const all = [...(begin ? ["begin"] : []), ...statements, ...(commit ? ["commit"] : [])];
      const answer = (this.connection as PgliteLike).run(all.map((statement) => this.bound(statement)));
      // The run with the COMMIT ends the transaction whatever happens, and the thread runs calls in
      // the order they were posted: the session is the next caller's now, while this one waits for
      // its answer (the next transaction's first step runs right after the COMMIT, not once this
      // thread had time to read the answer).
      if (commit) {
        answer.catch(() => undefined); // awaited below: not an unhandled rejection meanwhile
        await this.release();
      }
      const results = await answer;
      return results.slice(begin ? 1 : 0, (begin ? 1 : 0) + statements.length) as Row[][];
    }
    const texts = statements.map((statement) => this.inline(statement));
    const all = [...(begin ? ["begin"] : []), ...texts, ...(commit ? ["commit"] : [])];
    // Straight to pg's client, not through knex.raw, which would rewrite every `?` of the text —
    // values' included — into a placeholder. Without values pg sends one simple query, which
    // answers one result per statement.
    const answer = (await (this.connection as pg.Client).query(all.join(";\n"))) as unknown as
      { rows: Row[] } | { rows: Row[] }[];
    const results = Array.isArray(answer) ? answer.map((r) => r.rows) : [answer.rows];
    return results.slice(begin ? 1 : 0, (begin ? 1 : 0) + texts.length);
  }

  /** A statement in PostgreSQL's form (`$1`, `$2`, …), its values as knex would bind them. */
  private bound(statement: StepStatement): BoundStatement {
    if (typeof statement === "string") return { sql: statement, params: [] };
    const native = this.db.raw(statement.sql, statement.bindings).toSQL().toNative();
    return { sql: native.sql, params: native.bindings };
  }

  /** A statement's text with its bindings written in as escaped literals. */
  private inline(statement: StepStatement): string {
    if (typeof statement === "string") return statement;
    if (statement.bindings.length === 0) return statement.sql;
    const native = this.db.raw(statement.sql, statement.bindings).toSQL().toNative();
    return native.sql.replace(/\$(\d+)/g, (_, n: string) => literal(native.bindings[Number(n) - 1]));
  }
}

/** pg's own conversion of a parameter to its text form (arrays, dates, buffers, objects as JSON). */
const prepareValue = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils
  .prepareValue;

/** A value as a SQL literal, in the text form pg would have sent it as a parameter. */
function literal(value: unknown): string {
  const prepared = prepareValue(value);
  if (prepared === null || prepared === undefined) return "null";
  if (Buffer.isBuffer(prepared)) return `'\\x${prepared.toString("hex")}'::bytea`;
  return pg.escapeLiteral(String(prepared as string));
}
