import {
  type Migration,
  OUTBOX_TABLE,
  idempotencyMigration,
  outboxMigration,
  rateBucketsMigration,
} from "@talk/db";

export const migrations: Migration[] = [
  outboxMigration,
  idempotencyMigration,
  {
    name: "001_chats_participants",
    async up(db) {
      await db.schema.createTable("customer_clocks", (t) => {
        t.uuid("customer_id").primary();
        /** Last chat tm_create of the customer: keeps chat timestamps unique for pagination. */
        t.specificType("last", "timestamp(6)").notNullable();
      });
      await db.schema.createTable("talk_chats", (t) => {
        t.uuid("id").primary();
        t.uuid("customer_id").notNullable();
        t.string("type", 16).notNullable();
        t.string("name", 255).notNullable().defaultTo("");
        t.text("detail").notNullable().defaultTo("");
        t.integer("member_count").notNullable().defaultTo(0);
        /** Sequence number of the chat's last event. */
        t.bigInteger("seq").notNullable().defaultTo(0);
        /** Set for live direct chats only: one direct chat per pair of agents. */
        t.string("direct_key", 120).unique();
        t.specificType("tm_create", "timestamp(6)").notNullable();
        t.specificType("tm_update", "timestamp(6)").notNullable();
        t.specificType("tm_delete", "timestamp(6)").notNullable().defaultTo("9999-01-01 00:00:00");
        t.unique(["customer_id", "tm_create"]);
        t.index(["customer_id", "type", "tm_create"]);
      });
      await db.schema.createTable("talk_participants", (t) => {
        t.uuid("id").primary();
        t.uuid("customer_id").notNullable();
        t.uuid("chat_id").notNullable().references("talk_chats.id");
        t.string("owner_type", 16).notNullable();
        t.uuid("owner_id").notNullable();
        t.specificType("tm_joined", "timestamp(6)").notNullable();
        t.unique(["chat_id", "owner_type", "owner_id"]);
        t.index(["owner_id", "chat_id"]);
      });
    },
  },
  {
    name: "002_chat_creator",
    async up(db) {
      // Who created each chat: deleting a channel or group, and renaming a channel, is the
      // creator's (or a customer admin's). Chats created before this have none recorded.
      await db.schema.alterTable("talk_chats", (t) => {
        t.uuid("creator_id");
      });
    },
  },
  {
    name: "003_chat_revisions_agent_names",
    async up(db) {
      // A chat's change counter is its revision (the chat-changes protocol), not an event seq.
      await db.schema.alterTable("talk_chats", (t) => {
        t.renameColumn("seq", "revision");
      });
      // The agent's name as agent-manager had it when the participant was added: a removal tells
      // it without asking anyone. Participants added before this have none ("An agent").
      await db.schema.alterTable("talk_participants", (t) => {
        t.string("agent_name", 255).notNullable().defaultTo("");
      });
      // Changes not yet published take the chat-changes shape (their seq was the revision).
      await db.raw(
        `update ${OUTBOX_TABLE}
            set event = (event - 'seq' - 'publisher') || jsonb_build_object('revision', event->'seq')
          where event->'seq' is not null`,
      );
    },
  },
  rateBucketsMigration,
];
