/**
 * Mentions (issue 12, docs/decisions/mentions.md): each message keeps the agents it mentions, and a
 * row per (message, mentioned agent) with the message's chat and time, so a member's mention count
 * is a range of one index (its mentions in the chat after the message it has read up to) and its
 * mentions across chats, newest first, are another. Messages written before keep no mentions.
 */
import type { Migration } from "@talk/db";

export const mentionsMigration: Migration = {
  name: "006_mentions",
  async up(db) {
    await db.raw(`alter table talk_messages add column mentions jsonb not null default '[]'`);
    await db.raw(`
      create table talk_mentions (
        message_id uuid not null,
        agent_id uuid not null,
        chat_id uuid not null,
        tm_create timestamp(6) not null,
        primary key (message_id, agent_id)
      )`);
    await db.raw("create index talk_mentions_unread on talk_mentions (agent_id, chat_id, tm_create)");
    await db.raw("create index talk_mentions_feed on talk_mentions (agent_id, tm_create, message_id)");
  },
};
