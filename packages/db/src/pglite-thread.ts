/**
 * A PGlite running in a worker thread of this process: PostgreSQL (WebAssembly, synchronous while
 * it executes a statement) gets a core of its own instead of sharing the event loop with HTTP and
 * the services. The main thread holds a proxy with the calls knex-pglite makes (`waitReady`,
 * `query`, `exec`, `close`), and `run`: several statements in one hop (a transaction's step). Each
 * hop waits for the other thread's turn, so a step is one hop, and the schema switch travels with
 * the next call. Rows, fields and errors (with PostgreSQL's `code`, `detail`, …) come back as plain data.
 */
import { Worker } from "node:worker_threads";

/** The part of PGlite's interface the embedded mode uses. */
export interface PgliteLike {
  readonly waitReady: Promise<void>;
  readonly closed: boolean;
  query(sql: string, params?: unknown[], options?: unknown): Promise<unknown>;
  exec(sql: string, options?: unknown): Promise<unknown[]>;
  /**
   * Runs statements one after the other in one call (one hop to the thread and back); rejects with
   * the error of the first that fails, and runs none after it. The rows of each. A run whose last
   * statement is `commit` ends its transaction even when one fails (it is rolled back), and calls
   * posted after it run after it: the session is free for the next caller once it is posted.
   */
  run(statements: readonly BoundStatement[]): Promise<unknown[][]>;
  /**
   * The schema the next statements run in (`search_path`): set in the thread before the next call's
   * statements when it changed, in the same hop.
   */
  searchPath: string;
  close(): Promise<void>;
}

/** A statement in PostgreSQL's form: `$1`, `$2`, … and their values. */
export interface BoundStatement {
  sql: string;
  params: readonly unknown[];
}

const ERROR_FIELDS = [
  "code",
  "detail",
  "hint",
  "severity",
  "position",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "where",
];

// Plain JavaScript evaluated in the worker (no TypeScript loader there, under tsx or jest alike).
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { PGlite } = require(workerData.pglite);
const asText = (value) => value;
const asNumber = (value) => Number(value);
const db = new PGlite(workerData.dir, {
  parsers: { 1114: asText, 1184: asText, 20: asNumber },
  startParams: workerData.startParams,
});
let searchPath = "public";
// PGlite's file system layer on Node (Emscripten's NODEFS) writes through to the folder but has no
// fsync, and its fdatasync is a no-op (strace: no sync call at all), so a commit would survive this
// process's crash but not the machine's. PostgreSQL runs with wal_sync_method=fsync
// (PGLITE_START_PARAMS), and NODEFS is given the fsync it lacks: PostgreSQL's own sync calls reach
// the disk — the WAL at each commit that must be durable (before its statement returns, so before
// the answer leaves this thread), data files and folders at a checkpoint — and calls that commit
// nothing durable (reads, locks, unlogged tables, synchronous_commit=off) sync nothing. WAL segments
// are flushed with fdatasync (as PostgreSQL's default wal_sync_method on Linux does), everything
// else with fsync. The whole folder is flushed once at start (a new folder is a copy of the template).
const fs = require("node:fs");
const path = require("node:path");
const WAL_SEGMENT = new RegExp("/pg_wal/[0-9A-F]{24}$");
const durability = { walSyncs: 0, fileSyncs: 0, folderSyncs: 0 };
const flush = (file) => {
  const fd = fs.openSync(file, "r");
  try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
};
const flushTree = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) flushTree(full);
    else if (entry.isFile()) flush(full);
  }
  flush(dir);
};
const onDisk = workerData.dir && !workerData.dir.startsWith("memory://");
const started = db.waitReady.then(() => {
  if (!onDisk) return;
  const { NODEFS, FS } = db.Module;
  NODEFS.stream_ops.fsync = (stream) => {
    try {
      if (WAL_SEGMENT.test(stream.path)) {
        fs.fdatasyncSync(stream.nfd);
        durability.walSyncs++;
      } else {
        fs.fsyncSync(stream.nfd);
        durability.fileSyncs++;
      }
      return 0;
    } catch (error) {
      throw new FS.ErrnoError(29); // EIO: PostgreSQL treats a failed fsync as fatal (data_sync_retry off)
    }
  };
  flushTree(workerData.dir);
  durability.folderSyncs++;
});
// The bench's profiling hook (bench/src/lib/cpu-profile-hook.mjs) toggles this thread's CPU profile
// too, over a BroadcastChannel, when TALK_CPU_PROF_DIR names where profiles go.
const profileDir = process.env.TALK_CPU_PROF_DIR;
let profiler;
const profile = () => {
  const { Session } = require("node:inspector");
  if (!profiler) {
    profiler = { session: new Session() };
    profiler.session.connect();
    profiler.session.post("Profiler.enable");
    profiler.session.post("Profiler.setSamplingInterval", { interval: 250 });
    profiler.session.post("Profiler.start");
    return;
  }
  const { session } = profiler;
  profiler = undefined;
  session.post("Profiler.stop", (error, result) => {
    if (error) return;
    const file = require("node:path").join(profileDir, "pglite-thread-" + process.pid + "-" + Date.now() + ".cpuprofile");
    require("node:fs").writeFileSync(file, JSON.stringify(result.profile));
    session.disconnect();
  });
};
if (profileDir) {
  const channel = new BroadcastChannel("talk-cpu-profile");
  channel.unref();
  channel.onmessage = profile;
}
// Calls run one after the other in the order they were posted (a call posted while another runs
// waits for it), so a caller may post the next call before the last one answered (the COMMIT of a
// FoldedTransaction, after which the session is the next caller's).
let previous = Promise.resolve();
parentPort.on("message", (message) => {
  previous = previous.then(() => handle(message));
});
const handle = async ({ id, op, sql, params, options, statements, schema }) => {
  try {
    let result = null;
    if (schema && schema !== searchPath) {
      await db.query('set search_path to "' + schema + '"');
      searchPath = schema;
    }
    if (op === "ready") await started;
    else if (op === "query") result = await db.query(sql, params, options);
    else if (op === "exec") result = await db.exec(sql, options);
    else if (op === "run") {
      result = [];
      try {
        for (const statement of statements) result.push((await db.query(statement.sql, statement.params)).rows);
      } catch (error) {
        // A run that ends its transaction leaves none open, even when a statement failed (the
        // COMMIT then did not run): the next call may already be waiting, from another caller.
        if (statements.length > 0 && statements[statements.length - 1].sql === "commit")
          await db.query("rollback").catch(() => undefined);
        throw error;
      }
    }
    else if (op === "durability") result = { ...durability };
    else if (op === "close") await db.close();
    parentPort.postMessage({ id, result });
  } catch (error) {
    const fields = {};
    for (const name of ${JSON.stringify(ERROR_FIELDS)}) if (error && error[name] !== undefined) fields[name] = error[name];
    parentPort.postMessage({ id, error: { message: String(error && error.message), fields } });
  }
};
`;

export class PgliteThread implements PgliteLike {
  readonly waitReady: Promise<void>;
  closed = false;
  searchPath = "public";
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(dir: string, startParams: string[]) {
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: { pglite: require.resolve("@electric-sql/pglite"), dir, startParams },
    });
    this.worker.on("message", ({ id, result, error }: { id: number; result?: unknown; error?: Failure }) => {
      const waiter = this.waiting.get(id);
      if (!waiter) return;
      this.waiting.delete(id);
      if (error) waiter.reject(Object.assign(new Error(error.message), error.fields));
      else waiter.resolve(result);
    });
    this.worker.on("error", (error) => this.failAll(error));
    this.worker.on("exit", (code) => this.failAll(new Error(`the PGlite thread exited (${code})`)));
    this.waitReady = this.call("ready").then(() => undefined);
  }

  query(sql: string, params?: unknown[], options?: unknown): Promise<unknown> {
    return this.call("query", { sql, params, options });
  }

  async exec(sql: string, options?: unknown): Promise<unknown[]> {
    return (await this.call("exec", { sql, options })) as unknown[];
  }

  async run(statements: readonly BoundStatement[]): Promise<unknown[][]> {
    return (await this.call("run", { statements })) as unknown[][];
  }

  /**
   * How often PostgreSQL's syncs reached the disk: WAL segments (a commit), other files and folders
   * (a checkpoint), and the whole folder (once, at start).
   */
  async durability(): Promise<{ walSyncs: number; fileSyncs: number; folderSyncs: number }> {
    return (await this.call("durability")) as { walSyncs: number; fileSyncs: number; folderSyncs: number };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.call("close").catch(() => undefined);
    await this.worker.terminate();
  }

  private call(op: string, message: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, schema: this.searchPath, ...message });
    });
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

interface Failure {
  message: string;
  fields: Record<string, unknown>;
}
