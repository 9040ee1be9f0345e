import { type Migration, idempotencyMigration, rateBucketsMigration } from "@talk/db";

export const migrations: Migration[] = [
  {
    name: "001_customers_agents",
    async up(db) {
      await db.schema.createTable("customers", (t) => {
        t.uuid("id").primary();
        t.string("name", 255).notNullable();
        t.specificType("tm_create", "timestamp(6)").notNullable();
        /** Last tm_create handed to an agent of this customer: keeps them unique for pagination. */
        t.specificType("agent_clock", "timestamp(6)");
      });
      await db.schema.createTable("agents", (t) => {
        t.uuid("id").primary();
        t.uuid("customer_id").notNullable().references("customers.id");
        t.string("username", 255).notNullable().unique();
        t.string("password_hash", 255).notNullable();
        t.string("name", 255).notNullable().defaultTo("");
        t.text("detail").notNullable().defaultTo("");
        t.string("permission", 16).notNullable().defaultTo("agent");
        t.specificType("tm_create", "timestamp(6)").notNullable();
        t.specificType("tm_update", "timestamp(6)").notNullable();
        t.specificType("tm_delete", "timestamp(6)").notNullable().defaultTo("9999-01-01 00:00:00");
        t.unique(["customer_id", "tm_create"]);
      });
    },
  },
  idempotencyMigration,
  {
    name: "002_explicit_presence",
    async up(db) {
      await db.schema.createTable("explicit_presence", (t) => {
        t.uuid("agent_id").primary();
        t.uuid("customer_id").notNullable();
        t.string("status", 16).notNullable();
        t.string("text", 255).notNullable().defaultTo("");
      });
    },
  },
  rateBucketsMigration,
];
