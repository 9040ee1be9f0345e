/** Migrations live beside each service, as code; this runs them in order, once, under knex's lock. */
import type { Knex } from "knex";

export interface Migration {
  name: string;
  up(db: Knex): Promise<void>;
  down?(db: Knex): Promise<void>;
}

export async function migrate(db: Knex, migrations: Migration[], tableName = "knex_migrations"): Promise<void> {
  const source: Knex.MigrationSource<Migration> = {
    getMigrations: async () => migrations,
    getMigrationName: (migration) => migration.name,
    getMigration: async (migration) => ({
      up: migration.up,
      down: migration.down ?? (async () => undefined),
    }),
  };
  await db.migrate.latest({ migrationSource: source, tableName });
}
