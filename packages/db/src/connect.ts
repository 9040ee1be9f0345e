/**
 * A knex instance on PostgreSQL: `pg` against a server (distributed mode) or PGlite on disk
 * (embedded mode). Both hand timestamps back as their text form, so microseconds survive.
 */
import knex, { type Knex } from "knex";
import pg from "pg";
import { connectPglite } from "./pglite";

/** A PostgreSQL server, or a PGlite folder (its `public` schema unless `schema` names another). */
export type DatabaseConfig = { url: string; poolMax?: number } | { pgliteDir: string; schema?: string };

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
    return knex({
      client: "pg",
      connection: { connectionString: config.url, options: "-c TimeZone=UTC" },
      pool: { min: 0, max: config.poolMax ?? 10 },
      acquireConnectionTimeout: 10_000,
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
