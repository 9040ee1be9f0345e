/** knex's PostgreSQL dialect (untyped in knex): the parts the read-write client extends. */
declare module "knex/lib/dialects/postgres" {
  import type { Knex } from "knex";
  import type pg from "pg";

  class PgDialect extends knexClient {
    connectionSettings: pg.ClientConfig;
    _acquireOnlyConnection(): Promise<pg.Client>;
    _query(connection: pg.Client, obj: unknown): Promise<unknown>;
  }
  const knexClient: typeof Knex.Client;
  export default PgDialect;
}
