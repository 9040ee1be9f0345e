import type { Migration } from "@talk/db";

export const migrations: Migration[] = [
  {
    name: "001_files",
    async up(db) {
      await db.schema.createTable("files", (t) => {
        t.uuid("id").primary();
        t.uuid("customer_id").notNullable();
        t.uuid("owner_id").notNullable();
        t.string("name", 255).notNullable();
        t.string("content_type", 255).notNullable();
        /** 'uploading' until every byte is stored; only 'ready' files are ever visible. */
        t.string("state", 16).notNullable();
        /** Where the bytes are: postgres (file_chunks) or s3. */
        t.string("storage", 16).notNullable();
        t.bigInteger("size").notNullable().defaultTo(0);
        t.string("sha256", 64).notNullable().defaultTo("");
        t.specificType("tm_create", "timestamp(6)").notNullable();
        /** First time a message attached it; an upload never attached is swept after a while. */
        t.specificType("tm_attached", "timestamp(6)");
        t.specificType("tm_delete", "timestamp(6)").notNullable().defaultTo("9999-01-01 00:00:00");
        t.index(["state", "tm_create"]);
      });
      /** The bytes of files kept in PostgreSQL, in order, 256 KiB a row. */
      await db.schema.createTable("file_chunks", (t) => {
        t.uuid("file_id").notNullable().references("files.id").onDelete("CASCADE");
        t.integer("idx").notNullable();
        t.binary("data").notNullable();
        t.primary(["file_id", "idx"]);
      });
    },
  },
];
