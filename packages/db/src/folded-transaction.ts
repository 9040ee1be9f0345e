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

/**
 * A statement to run as a part of a step: plain SQL, or SQL with knex `?` bindings — kept prepared
 * on each server session when `prepare` is set (see `preparedOnSession`).
 */
export type StepStatement = string | (Statement & { prepare?: boolean });

/**
 * `statement` kept prepared on each server session: the first step that runs it on a session
 * sends `PREPARE` with it (in the same round trip), every step then `EXECUTE`s it with its values as
 * literals, so PostgreSQL parses and plans it once per session (a generic plan: the transaction sets
 * `plan_cache_mode`) instead of parsing and planning its whole text every time. Its text must be the same on every call (the values in
 * `bindings`), one of a few shapes: every distinct text is a statement kept on every session. On
 * PGlite it runs as it is.
 */
export function preparedOnSession(statement: Statement): Statement & { prepare: true } {
  return { ...statement, prepare: true };
}

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
  /** The transaction plans its prepared statements generically (`preparedOnSession`). */
  private generic = false;

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

  /**
   * Runs statements in the transaction (the first step begins it); the rows of each. `before`
   * (the first step only): statements that go in the same round trip ahead of the BEGIN, in a
   * transaction of their own — they commit whatever becomes of this one; their rows come first.
   * If the step fails, whether they committed is not known.
   */
  step<Row = Record<string, unknown>>(
    statements: StepStatement[],
    { before = [] }: { before?: StepStatement[] } = {},
  ): Promise<Row[][]> {
    if (this.ended) throw new Error("the transaction has ended");
    if (before.length > 0 && this.begun)
      throw new Error("statements before the BEGIN go with the first step");
    const begin = !this.begun;
    this.begun = true;
    return this.run<Row>(statements, { begin, commit: false, before });
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
    { begin, commit, before = [] }: { begin: boolean; commit: boolean; before?: StepStatement[] },
  ): Promise<Row[][]> {
    // The statements in the order they run (`before` in a transaction of its own), and which of
    // them answer the caller.
    const transactions = [
      ...(before.length > 0 ? [{ begin: true, statements: before, commit: true }] : []),
      { begin, statements, commit },
    ];
    if (!this.server) {
      // PGlite (in its thread): the statements with their bindings, BEGIN and COMMIT included, in
      // one call; it stops at the first that fails, as a server does in a simple query.
      const all: BoundStatement[] = [];
      const at: number[] = [];
      for (const transaction of transactions) {
        if (transaction.begin) all.push(this.bound("begin"));
        for (const statement of transaction.statements) at.push(all.push(this.bound(statement)) - 1);
        if (transaction.commit) all.push(this.bound("commit"));
      }
      const answer = (this.connection as PgliteLike).run(all);
      // The run with the COMMIT ends the transaction whatever happens, and the thread runs calls in
      // the order they were posted: the session is the next caller's now, while this one waits for
      // its answer (the next transaction's first step runs right after the COMMIT, not once this
      // thread had time to read the answer).
      if (commit) {
        answer.catch(() => undefined); // awaited below: not an unhandled rejection meanwhile
        await this.release();
      }
      const results = await answer;
      return at.map((i) => results[i] as Row[]);
    }
    const session = sessionOf(this.connection);
    const preparing: string[] = [];
    const texts: string[] = [];
    // Which result is each statement's: a PREPARE, a BEGIN or a SET answers one of its own.
    const at: number[] = [];
    for (const transaction of transactions) {
      const own = transaction.statements === before;
      if (transaction.begin) texts.push("begin");
      let generic = own ? false : this.generic;
      for (const statement of transaction.statements) {
        if (typeof statement !== "string" && statement.prepare) {
          const { name, sql, values } = this.executing(statement, session);
          if (!session.prepared.has(name)) {
            texts.push(`prepare ${name} as ${sql}`);
            preparing.push(name);
          }
          if (!generic) {
            // Generic plans from the first run: a text that takes its values as arrays (`= any(?)`,
            // `unnest(?)`) is estimated from its values when planned for them, and PostgreSQL would
            // keep choosing those custom plans — a planning at every run, what preparing saves.
            texts.push("set local plan_cache_mode = force_generic_plan");
            generic = true;
          }
          at.push(texts.length);
          texts.push(`execute ${name}${values.length > 0 ? `(${values.map(literal).join(", ")})` : ""}`);
        } else {
          at.push(texts.length);
          texts.push(this.inline(statement));
        }
      }
      if (!own) this.generic = generic;
      if (transaction.commit) texts.push("commit");
    }
    // Straight to pg's client, not through knex.raw, which would rewrite every `?` of the text —
    // values' included — into a placeholder. Without values pg sends one simple query, which
    // answers one result per statement.
    let answer: { rows: Row[] } | { rows: Row[] }[];
    try {
      answer = (await (this.connection as pg.Client).query(texts.join(";\n"))) as unknown as
        { rows: Row[] } | { rows: Row[] }[];
    } catch (error) {
      // A PREPARE is not undone by a rollback, and which statements of a failed step ran is not
      // known: this session's statements get new names from now on (an old one may stay, unused).
      if (preparing.length > 0) session.generation += 1;
      throw error;
    }
    for (const name of preparing) session.prepared.add(name);
    const results = Array.isArray(answer) ? answer.map((r) => r.rows) : [answer.rows];
    return at.map((i) => results[i]);
  }

  /** A prepared statement's name on `session`, its text with `$n` placeholders, and its values. */
  private executing(statement: Statement, session: Session) {
    let base = preparedNames.get(statement.sql);
    if (base === undefined) {
      if (preparedNames.size >= MAX_PREPARED)
        throw new Error(
          `more than ${MAX_PREPARED} statements prepared on each session: is a text not stable?`,
        );
      base = `folded_${preparedNames.size + 1}`;
      preparedNames.set(statement.sql, base);
    }
    const native = this.db.raw(statement.sql, statement.bindings).toSQL().toNative();
    return { name: `${base}_${session.generation}`, sql: native.sql, values: native.bindings };
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

/** What a server session has prepared (`preparedOnSession`). */
interface Session {
  prepared: Set<string>;
  /** Bumped when a step that prepared failed: names from before may or may not exist. */
  generation: number;
}

const sessions = new WeakMap<object, Session>();

function sessionOf(connection: unknown): Session {
  let session = sessions.get(connection as object);
  if (!session) sessions.set(connection as object, (session = { prepared: new Set(), generation: 0 }));
  return session;
}

/** Each prepared statement's text → its name (the same on every session, with its generation). */
const preparedNames = new Map<string, string>();

/** A bound on the distinct texts kept prepared: each is kept on every session of the pool. */
const MAX_PREPARED = 100;

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
