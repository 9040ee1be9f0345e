/**
 * PGlite (PostgreSQL compiled to WebAssembly, in a worker thread) for the embedded mode: one database
 * folder, one PGlite, and a knex per service bound to that service's own schema (see
 * docs/decisions/embedded-one-pglite.md). PGlite is a single session: a knex that
 * holds it (a query, or a whole transaction) holds it alone, and the search path is switched to
 * its schema first — so two services' statements never interleave inside one transaction.
 */
import { cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import knex, { type Knex } from "knex";
import ClientPgLite from "knex-pglite";
import { type PgliteLike, PgliteThread } from "./pglite-thread";

/**
 * PGlite's own start parameters (its defaults) with a smaller buffer pool: PGlite's default of
 * 128 MB is touched at start (about 100 MB of resident memory per instance); 16 MB holds the
 * embedded mode's working set, and the operating system's page cache holds the rest of the folder.
 * Without PGlite's default `-F` (fsync off), and with `wal_sync_method=fsync`: PGlite's file system
 * ignores fdatasync and has no fsync, which its thread gives it (pglite-thread.ts), so PostgreSQL
 * behaves as a durable server (`show fsync` is on) and its own sync calls reach the disk.
 */
export const PGLITE_START_PARAMS = [
  "--single",
  "-O",
  "-j",
  "-c",
  "search_path=public",
  "-c",
  "exit_on_error=false",
  "-c",
  "log_checkpoints=false",
  "-c",
  "max_worker_processes=0",
  "-c",
  "max_parallel_workers=0",
  "-c",
  "max_parallel_workers_per_gather=0",
  "-c",
  "io_method=sync",
  "-c",
  "max_parallel_maintenance_workers=0",
  "-c",
  "shared_buffers=16MB",
  "-c",
  "wal_sync_method=fsync",
];

export interface PgliteFolder {
  dir: string;
  /**
   * An initialised, empty database folder made by the same PGlite (`createPgliteTemplate`): copied
   * when `dir` holds no database yet, which skips initdb (about 10 s of WebAssembly at first start).
   */
  template?: string;
}

/** True when the folder holds a PostgreSQL database. */
export const holdsDatabase = (dir: string): boolean => existsSync(join(dir, "PG_VERSION"));

/**
 * A PGlite on a folder (made from the template when there is one and the folder is new), in a
 * worker thread of this process (`pglite-thread.ts`): PostgreSQL gets a core of its own.
 */
export function openPglite({ dir, template }: PgliteFolder): PgliteLike {
  if (!holdsDatabase(dir) && template && holdsDatabase(template) && isEmptyOrMissing(dir))
    cpSync(template, dir, { recursive: true });
  mkdirSync(dir, { recursive: true });
  return new PgliteThread(dir, PGLITE_START_PARAMS);
}

function isEmptyOrMissing(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/** Makes an initialised, empty database folder for `PgliteFolder.template`. */
export async function createPgliteTemplate(dir: string): Promise<void> {
  const pglite = new PGlite(dir, { startParams: PGLITE_START_PARAMS });
  await pglite.query("select 1");
  await pglite.close();
}

/** A knex on its own PGlite (one folder, one service: the agent-manager admin CLI, tests). */
export function connectPglite(folder: PgliteFolder & { schema?: string }): Knex {
  return new SharedPglite(folder).database(folder.schema ?? "public", { ownsDatabase: true });
}

/** One PGlite shared by several services, each in its own schema. */
export class SharedPglite {
  readonly pglite: PgliteLike;
  private holder: Promise<void> = Promise.resolve();
  private searchPath = "public";
  private readonly created = new Set<string>(["public"]);

  constructor(folder: PgliteFolder) {
    this.pglite = openPglite(folder);
  }

  /** A knex whose every statement runs in `schema` (created on first use). */
  database(schema: string, options: { ownsDatabase?: boolean } = {}): Knex {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name: ${schema}`);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const shared = this;
    let release: (() => void) | undefined;
    class SchemaClient extends (ClientPgLite as unknown as new (config: Knex.Config) => ClientMethods) {
      override async acquireConnection(): Promise<PgliteLike> {
        const done = await shared.take();
        try {
          const connection = await super.acquireConnection();
          await shared.use(schema);
          release = done;
          return connection;
        } catch (error) {
          done();
          throw error;
        }
      }
      override async releaseConnection(connection: PgliteLike): Promise<void> {
        try {
          await super.releaseConnection(connection);
        } finally {
          const done = release;
          release = undefined;
          done?.();
        }
      }
      override async destroyRawConnection(): Promise<void> {
        if (options.ownsDatabase) await shared.close();
      }
    }
    return knex({
      client: SchemaClient as unknown as typeof knex.Client,
      dialect: "postgres",
      connection: () => ({ pglite: this.pglite }) as object,
    });
  }

  async close(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }

  /** Waits for the PGlite to be free; resolves with the function that frees it. */
  private async take(): Promise<() => void> {
    let free!: () => void;
    const mine = new Promise<void>((resolve) => (free = resolve));
    const before = this.holder;
    this.holder = before.then(() => mine);
    await before;
    return free;
  }

  private async use(schema: string): Promise<void> {
    if (this.searchPath === schema) return;
    if (!this.created.has(schema)) {
      await this.pglite.query(`create schema if not exists "${schema}"`);
      this.created.add(schema);
    }
    // set in the thread before the next call's statements, in the same hop
    this.pglite.searchPath = schema;
    this.searchPath = schema;
  }
}

interface ClientMethods {
  acquireConnection(): Promise<PgliteLike>;
  releaseConnection(connection: PgliteLike): Promise<void>;
  destroyRawConnection(connection: PgliteLike): Promise<void>;
}
