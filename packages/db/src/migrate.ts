/** Migrations live beside each service, as code; this runs them in order, once, under knex's lock. */
import type { Knex } from "knex";
import { onServer } from "./statements";

export interface Migration {
  name: string;
  up(db: Knex): Promise<void>;
  down?(db: Knex): Promise<void>;
}

export async function migrate(
  db: Knex,
  migrations: Migration[],
  tableName = "knex_migrations",
): Promise<void> {
  const source: Knex.MigrationSource<Migration> = {
    getMigrations: async () => migrations,
    getMigrationName: (migration) => migration.name,
    getMigration: async (migration) => ({
      up: migration.up,
      down: migration.down ?? (async () => undefined),
    }),
  };
  const run = () => db.migrate.latest({ migrationSource: source, tableName });
  // PGlite has a single connection: nothing else can race, and a held lock would block ourselves.
  if (!onServer(db)) return void (await run());
  // Replicas start together: the first to take the lock migrates, the others then find nothing to do.
  await db.transaction(async (trx) => {
    await trx.raw("select pg_advisory_xact_lock(?)", [MIGRATION_LOCK_KEY]);
    await run();
  });
}

const MIGRATION_LOCK_KEY = 7_346_220;
