/**
 * Read state (docs/decisions/read-state.md): every message gets its chat's next ordinal (1, 2, …),
 * the chat row counts its messages, and each member row holds the ordinal it has read up to. An
 * unread count is then one subtraction, whatever the chat's size. The database keeps the counter on
 * every insert of a message — the send batch and the system messages alike — so no writer can forget
 * it; a sender's own mark moves to its message with it (own messages are never unread).
 */
import type { Migration } from "@talk/db";

export const readStateMigration: Migration = {
  name: "004_read_state",
  async up(db) {
    await db.raw(`alter table chats add column message_count bigint not null default 0`);
    await db.raw(`alter table talk_messages add column ordinal bigint`);
    await db.raw(`
      update talk_messages t set ordinal = o.ordinal
        from (select id, row_number() over (partition by chat_id order by tm_create) as ordinal
                from talk_messages) o
       where t.id = o.id`);
    await db.raw(`alter table talk_messages alter column ordinal set not null`);
    await db.raw(`
      update chats c set message_count = n.count
        from (select chat_id, count(*) as count from talk_messages group by chat_id) n
       where c.id = n.chat_id`);
    await db.raw(`
      alter table members
        add column read_ordinal bigint not null default 0,
        add column read_message_id uuid,
        add column tm_read timestamp(6)`);
    // Members before read state existed have read everything (no flood of old unread on upgrade).
    await db.raw(`
      update members m set read_ordinal = c.message_count,
             read_message_id = (select id from talk_messages t
                                 where t.chat_id = m.chat_id and t.ordinal = c.message_count)
        from chats c where c.id = m.chat_id`);
    await db.raw(`
      create function talk_message_ordinal() returns trigger language plpgsql as $$
      begin
        update chats set message_count = message_count + 1 where id = new.chat_id
          returning message_count into new.ordinal;
        return new;
      end $$`);
    await db.raw(`
      create trigger talk_message_ordinal before insert on talk_messages
        for each row execute function talk_message_ordinal()`);
    await db.raw(`
      create function talk_message_reads_own() returns trigger language plpgsql as $$
      begin
        if new.owner_type = 'agent' then
          update members set read_ordinal = new.ordinal, read_message_id = new.id, tm_read = new.tm_create
           where chat_id = new.chat_id and agent_id = new.owner_id::uuid and read_ordinal < new.ordinal;
        end if;
        return null;
      end $$`);
    await db.raw(`
      create trigger talk_message_reads_own after insert on talk_messages
        for each row execute function talk_message_reads_own()`);
  },
};

/**
 * The send batch numbers its messages and moves its senders' marks itself, with one statement for
 * the batch (it holds the chats' locks); the database still does it, per row, for every other
 * insert — one trigger, only for rows that come without an ordinal.
 */
export const readStateInBatchMigration: Migration = {
  name: "007_read_state_in_batch",
  async up(db) {
    await db.raw(`drop trigger talk_message_reads_own on talk_messages`);
    await db.raw(`drop function talk_message_reads_own()`);
    await db.raw(`drop trigger talk_message_ordinal on talk_messages`);
    await db.raw(`
      create or replace function talk_message_ordinal() returns trigger language plpgsql as $$
      begin
        update chats set message_count = message_count + 1 where id = new.chat_id
          returning message_count into new.ordinal;
        if new.owner_type = 'agent' then
          update members set read_ordinal = new.ordinal, read_message_id = new.id, tm_read = new.tm_create
           where chat_id = new.chat_id and agent_id = new.owner_id::uuid and read_ordinal < new.ordinal;
        end if;
        return new;
      end $$`);
    await db.raw(`
      create trigger talk_message_ordinal before insert on talk_messages
        for each row when (new.ordinal is null) execute function talk_message_ordinal()`);
  },
};
