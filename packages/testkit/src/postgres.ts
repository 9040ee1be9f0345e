/**
 * A PostgreSQL server for tests, from (in order): TALK_TEST_POSTGRES_URL; a testcontainers container
 * when a Docker engine answers; the machine's PostgreSQL binaries, on a free port in a temp folder.
 */
import { announced } from "./announce";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { dockerAnswers } from "./docker";
import { sleep } from "./wait";

export interface PostgresHandle {
  /** Server URL, database "postgres". */
  url: string;
  /** Whether stop/start/kill are supported (false for a server given by URL). */
  restartable: boolean;
  /** Creates a fresh database (a random name by default) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Fast shutdown; the data survives for `start`. */
  stop(): Promise<void>;
  /** Starts again on the same port with the same data. */
  start(): Promise<void>;
  /** SIGKILL of the server (crash recovery on the next start). */
  kill(): Promise<void>;
  /** Stops and cleans up for good. */
  close(): Promise<void>;
}

export interface PostgresOptions {
  /**
   * Production durability (fsync, full_page_writes and synchronous_commit on), for the benchmark and
   * the drills. Off by default: the tests check behaviour, not the disk, and run faster without it.
   */
  durable?: boolean;
  /** More server settings (`name=value`), e.g. `shared_preload_libraries=pg_stat_statements` to profile. */
  settings?: string[];
}

/** The server settings for `options`: fsync and full_page_writes off unless durable. */
export function postgresSettings(options: PostgresOptions = {}): string[] {
  const speed = options.durable ? [] : ["fsync=off", "full_page_writes=off"];
  return [...speed, "synchronous_commit=on", "max_connections=300", ...(options.settings ?? [])];
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresHandle> {
  const fromEnv = process.env.TALK_TEST_POSTGRES_URL;
  if (fromEnv) {
    const unsupported = async () => {
      throw new Error(
        "The PostgreSQL server comes from TALK_TEST_POSTGRES_URL and cannot be restarted by tests",
      );
    };
    return {
      url: fromEnv,
      restartable: false,
      createDatabase: (name) => createDatabase(fromEnv, name),
      stop: unsupported,
      start: unsupported,
      kill: unsupported,
      close: async () => {},
    };
  }
  if (await dockerAnswers()) {
    const { startPostgresContainer } = await import("./postgres-container");
    return announced("PostgreSQL", "a testcontainers container", await startPostgresContainer(options));
  }
  const { startLocalPostgres } = await import("./postgres-local");
  return announced("PostgreSQL", "the machine's PostgreSQL binaries", await startLocalPostgres(options));
}

/** The URL of database `name` on the server of `serverUrl`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

export async function createDatabase(serverUrl: string, name?: string): Promise<string> {
  const database = name ?? `talk_test_${randomBytes(6).toString("hex")}`;
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(database)) throw new Error(`Invalid database name: ${database}`);
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  return databaseUrl(serverUrl, database);
}

/** Waits until the server answers a query; `failure` returns a reason to give up early. */
export async function waitForPostgres(
  url: string,
  timeoutMs: number,
  failure: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  for (;;) {
    const reason = failure();
    if (reason) throw new Error(reason);
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      await client.end().catch(() => {});
    }
    if (Date.now() > deadline)
      throw new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms (${lastError})`);
    await sleep(100);
  }
}
