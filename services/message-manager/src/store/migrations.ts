import { type Migration, idempotencyMigration, outboxMigration, rateBucketsMigration } from "@talk/db";
import { editsPinsSearchMigration } from "./migration-edits-pins-search";
import { mentionsMigration } from "./mentions-migration";
import { readStateInBatchMigration, readStateMigration } from "./read-migration";

export const migrations: Migration[] = [
  outboxMigration,
  idempotencyMigration,
  {
    name: "001_replica_messages_reactions",
    async up(db) {
      /** message-manager's replica of chat state, fed by chat-manager's events, and the chat's event sequencer. */
      await db.schema.createTable("chats", (t) => {
        t.uuid("id").primary();
        t.uuid("customer_id").notNullable();
        t.boolean("deleted").notNullable().defaultTo(false);
        /** chat-manager's sequence number of the last chat change applied here. */
        t.bigInteger("source_seq").notNullable().defaultTo(0);
        /** The chat's public event sequence: every event of the chat, from both services, in order. */
        t.bigInteger("seq").notNullable().defaultTo(0);
        /** Last message tm_create: strictly increasing within a chat, so pages never skip or repeat. */
        t.specificType("clock", "timestamp(6)");
      });
      await db.schema.createTable("members", (t) => {
        t.uuid("chat_id").notNullable().references("chats.id");
        t.uuid("agent_id").notNullable();
        t.primary(["chat_id", "agent_id"]);
      });
      await db.schema.createTable("talk_messages", (t) => {
        t.uuid("id").primary();
        t.uuid("customer_id").notNullable();
        t.uuid("chat_id").notNullable().references("chats.id");
        t.uuid("parent_id");
        t.string("owner_type", 16).notNullable();
        t.string("owner_id", 64).notNullable();
        t.string("type", 16).notNullable();
        t.text("text").notNullable().defaultTo("");
        t.jsonb("medias").notNullable().defaultTo("[]");
        /** The chat event a system message was made for: one system message per event. */
        t.uuid("source_event").unique();
        t.specificType("tm_create", "timestamp(6)").notNullable();
        t.specificType("tm_update", "timestamp(6)").notNullable();
        t.specificType("tm_delete", "timestamp(6)").notNullable().defaultTo("9999-01-01 00:00:00");
        t.unique(["chat_id", "tm_create"]);
        t.index(["chat_id", "parent_id", "tm_create"]);
      });
      await db.schema.createTable("talk_reactions", (t) => {
        t.bigIncrements("id").primary();
        t.uuid("message_id").notNullable().references("talk_messages.id");
        t.string("emoji", 64).notNullable();
        t.string("owner_type", 16).notNullable();
        t.uuid("owner_id").notNullable();
        t.specificType("tm_create", "timestamp(6)").notNullable();
        t.unique(["message_id", "emoji", "owner_type", "owner_id"]);
      });
    },
  },
  {
    name: "002_replica_revision",
    async up(db) {
      // The last chat change applied is named by chat-manager's revision (the chat-changes protocol).
      await db.schema.alterTable("chats", (t) => {
        t.renameColumn("source_seq", "revision");
      });
    },
  },
  editsPinsSearchMigration,
  rateBucketsMigration,
  readStateMigration,
  {
    name: "005_file_references",
    async up(db) {
      /** Messages by the files they attach (file-manager's read check); only messages with medias. */
      await db.raw(
        "create index talk_messages_medias on talk_messages using gin (medias jsonb_path_ops) where medias <> '[]'::jsonb",
      );
    },
  },
  mentionsMigration,
  readStateInBatchMigration,
];
