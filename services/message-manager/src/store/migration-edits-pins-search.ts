/**
 * Issue 12's schema: edits with history, pins and full-text search on the messages, and the chat's
 * type in the replica (so a search with channels=all knows the public channels without asking).
 */
import type { Migration } from "@talk/db";

export const editsPinsSearchMigration: Migration = {
  name: "003_edits_pins_search",
  async up(db) {
    await db.raw(`
      alter table talk_messages
        add column tm_edit timestamp(6) not null default '9999-01-01 00:00:00',
        add column pinned_by text not null default '',
        add column tm_pin timestamp(6) not null default '9999-01-01 00:00:00',
        -- 'simple': every language tokenised alike, no stemming (docs/decisions/search.md)
        add column search tsvector generated always as (to_tsvector('simple'::regconfig, text)) stored
    `);
    await db.raw("create index talk_messages_search on talk_messages using gin (search)");
    await db.raw(
      "create index talk_messages_pins on talk_messages (chat_id, tm_pin) where tm_pin < '9999-01-01 00:00:00'",
    );
    await db.raw(`
      create table talk_message_versions (
        message_id uuid not null references talk_messages(id),
        text text not null,
        medias jsonb not null,
        tm_create timestamp(6) not null,
        tm_replace timestamp(6) not null,
        primary key (message_id, tm_create)
      )
    `);
    // The chat's type ("talk" is a public channel), from chat_created; unknown for chats created before.
    await db.raw("alter table chats add column type text");
    // A search reads the caller's chats from the replica: members by agent.
    await db.raw("create index members_agent on members (agent_id)");
  },
};
