/**
 * A PGlite running in a worker thread of this process: PostgreSQL (WebAssembly, synchronous while
 * it executes a statement) gets a core of its own instead of sharing the event loop with HTTP and
 * the services. The main thread holds a proxy with the calls knex-pglite makes (`waitReady`,
 * `query`, `exec`, `close`); rows, fields and errors (with PostgreSQL's `code`, `detail`, …) come
 * back as plain data.
 */
import { Worker } from "node:worker_threads";

/** The part of PGlite's interface the embedded mode uses. */
export interface PgliteLike {
  readonly waitReady: Promise<void>;
  readonly closed: boolean;
  query(sql: string, params?: unknown[], options?: unknown): Promise<unknown>;
  exec(sql: string, options?: unknown): Promise<unknown[]>;
  close(): Promise<void>;
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
parentPort.on("message", async ({ id, op, sql, params, options }) => {
  try {
    let result = null;
    if (op === "ready") await db.waitReady;
    else if (op === "query") result = await db.query(sql, params, options);
    else if (op === "exec") result = await db.exec(sql, options);
    else if (op === "close") await db.close();
    parentPort.postMessage({ id, result });
  } catch (error) {
    const fields = {};
    for (const name of ${JSON.stringify(ERROR_FIELDS)}) if (error && error[name] !== undefined) fields[name] = error[name];
    parentPort.postMessage({ id, error: { message: String(error && error.message), fields } });
  }
});
`;

export class PgliteThread implements PgliteLike {
  readonly waitReady: Promise<void>;
  closed = false;
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
      this.worker.postMessage({ id, op, ...message });
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
