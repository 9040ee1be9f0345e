/**
 * A knex instance on PostgreSQL: `pg` against a server (distributed mode) or PGlite on disk
 * (embedded mode). Both hand timestamps back as their text form, so microseconds survive.
 */
import type { Logger } from "@talk/kit";
import knex, { type Knex } from "knex";
import pg from "pg";
import { databaseHosts } from "./hosts";
import { connectPglite } from "./pglite";
import { readWriteClient } from "./read-write-client";

/**
 * A PostgreSQL server, or a PGlite folder (its `public` schema unless `schema` names another). A
 * server's `hosts`: every instance of the database (a primary and its standbys) as host:port,
 * comma-separated; connections go to the one that accepts writes. Empty: the URL's host only.
 */
export type DatabaseConfig =
  | {
      url: string;
      poolMax?: number;
      hosts?: string;
      /** Where the pool's own warnings go (a connection refused, a session dropped); knex prints them otherwise. */
      logger?: Logger;
    }
  | { pgliteDir: string; schema?: string };

/** knex's log calls as structured lines of `logger`. */
const knexLog = (logger: Logger) => ({
  warn: (message: unknown) => logger.warn({ detail: String(message) }, "database pool"),
  error: (message: unknown) => logger.error({ detail: String(message) }, "database pool"),
  deprecate: (method: unknown, alternative: unknown) =>
    logger.warn({ detail: `${String(method)} is deprecated, use ${String(alternative)}` }, "database pool"),
  debug: (message: unknown) => logger.debug({ detail: message }, "database pool"),
});

const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
const INT8 = 20;
const asText = (value: string) => value;
const asNumber = (value: string) => Number(value);

pg.types.setTypeParser(TIMESTAMP, asText);
pg.types.setTypeParser(TIMESTAMPTZ, asText);
pg.types.setTypeParser(INT8, asNumber);

export function connectDatabase(config: DatabaseConfig): Knex {
  if ("url" in config) {
    const hosts = databaseHosts(config.url, config.hosts);
    return knex({
      client: hosts.length > 1 ? readWriteClient(config.url, hosts) : "pg",
      connection: { connectionString: config.url, options: "-c TimeZone=UTC" },
      pool: { min: 0, max: config.poolMax ?? 10 },
      acquireConnectionTimeout: 10_000,
      ...(config.logger && { log: knexLog(config.logger) }),
    });
  }
  return connectPglite({ dir: config.pgliteDir, schema: config.schema });
}

/** True when the database answers a trivial query. */
export async function pingDatabase(db: Knex): Promise<boolean> {
  try {
    await db.raw("select 1");
    return true;
  } catch {
    return false;
  }
}
