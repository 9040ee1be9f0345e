/** Read marks, unread counts and last messages in message-manager's database (see domain/read-state.ts). */
import { type Message, type ReadReceipt, normalizeTimestamp } from "@talk/contracts";
import { runStatements, uuidLiterals } from "@talk/db";
import type { Knex } from "knex";
import { type MessageRow, type ReactionRow, toMessage } from "./message-store";

type Db = Knex | Knex.Transaction;

interface MarkRow {
  read_ordinal: string | number;
  read_message_id: string | null;
  tm_read: string | null;
}

/** A member's read mark as stored: the ordinal read up to (0: nothing), its message and when. */
export interface StoredMark {
  ordinal: number;
  messageId: string | null;
  tm: string | null;
}

/** What a chat list needs of one chat for one agent (`mark` undefined: not a member). */
export interface StoredSummary {
  chatId: string;
  messageCount: number;
  mark: StoredMark | undefined;
  lastMessage: Message | null;
  /** Messages after the mark that mention the agent. */
  mentionCount: number;
}

const markOf = (row: MarkRow): StoredMark => ({
  ordinal: Number(row.read_ordinal),
  messageId: row.read_message_id,
  tm: row.tm_read === null ? null : normalizeTimestamp(row.tm_read),
});

export class ReadStore {
  constructor(private readonly db: Knex) {}

  /** The member's mark (undefined when the agent is not a member); the caller holds the chat's lock. */
  async mark(trx: Db, chatId: string, agentId: string): Promise<StoredMark | undefined> {
    const row: MarkRow | undefined = await trx("members")
      .where({ chat_id: chatId, agent_id: agentId })
      .first("read_ordinal", "read_message_id", "tm_read");
    return row && markOf(row);
  }

  /** A message's chat and ordinal. */
  async messageOrdinal(trx: Db, messageId: string): Promise<{ chatId: string; ordinal: number } | undefined> {
    const row = await trx("talk_messages").where({ id: messageId }).first("chat_id", "ordinal");
    return row && { chatId: row.chat_id, ordinal: Number(row.ordinal) };
  }

  /** The chat's newest message (by ordinal, which follows tm_create). */
  async newest(trx: Db, chatId: string): Promise<{ messageId: string; ordinal: number } | undefined> {
    const row = await trx("talk_messages")
      .where({ chat_id: chatId })
      .orderBy("tm_create", "desc")
      .first("id", "ordinal");
    return row && { messageId: row.id, ordinal: Number(row.ordinal) };
  }

  async messageCount(trx: Db, chatId: string): Promise<number> {
    const row = await trx("chats").where({ id: chatId }).first("message_count");
    return Number(row?.message_count ?? 0);
  }

  async setMark(trx: Knex.Transaction, chatId: string, agentId: string, mark: StoredMark): Promise<void> {
    await trx("members")
      .where({ chat_id: chatId, agent_id: agentId })
      .andWhere("read_ordinal", "<", mark.ordinal)
      .update({ read_ordinal: mark.ordinal, read_message_id: mark.messageId, tm_read: mark.tm });
  }

  /** A new member has read the chat up to its own join message (the history before it is not news). */
  async markJoined(trx: Knex.Transaction, chatId: string, agentId: string, messageId: string): Promise<void> {
    await trx.raw(
      `update members m set read_ordinal = t.ordinal, read_message_id = t.id, tm_read = t.tm_create
         from talk_messages t
        where t.id = ? and m.chat_id = ? and m.agent_id = ? and m.read_ordinal < t.ordinal`,
      [messageId, chatId, agentId],
    );
  }

  /**
   * For each of the chats (of the customer) the agent's unread count, mark and the newest top-level
   * message — zero, null and null where the agent is not a member. One round trip of four statements
   * whatever the number of chats; each chat costs an index lookup, never a count of its messages.
   */
  async summaries(customerId: string, agentId: string, chatIds: string[]): Promise<StoredSummary[]> {
    const ids = [...new Set(chatIds)];
    if (ids.length === 0) return [];
    const list = `(values ${ids.map((id) => `(${uuidLiterals([id])})`).join(", ")}) as ids(chat_id)`;
    const member = `join members m on m.chat_id = ids.chat_id and m.agent_id = ${uuidLiterals([agentId])}`;
    const newest = `cross join lateral (
           select * from talk_messages t
            where t.chat_id = ids.chat_id and t.parent_id is null
              and t.customer_id = ${uuidLiterals([customerId])}
            order by t.tm_create desc limit 1) t`;
    // One round trip for all four (the newest messages' reactions included).
    const [marks, lasts, mentions, reactions] = await runStatements<Record<string, unknown>>(this.db, [
      `select c.id as chat_id, c.message_count, m.read_ordinal, m.read_message_id, m.tm_read
         from ${list}
         join chats c on c.id = ids.chat_id and c.customer_id = ${uuidLiterals([customerId])}
         ${member}`,
      `select t.* from ${list} ${member} ${newest}`,
      // Each chat's mentions of the agent after its mark: one range of (agent_id, chat_id, tm_create)
      // per chat, bounded below by the mark's time (an `is null or >` condition would not bound the
      // range: every mention of the chat, read or not, was scanned).
      `select m.chat_id,
              (select count(*) from talk_mentions x
                where x.agent_id = m.agent_id and x.chat_id = m.chat_id
                  and x.tm_create > coalesce(
                    (select r.tm_create from talk_messages r where r.id = m.read_message_id),
                    '-infinity')) as mention_count
         from ${list}
         ${member}`,
      `select r.message_id, r.emoji, r.owner_id, r.tm_create
         from ${list} ${member} ${newest}
         join talk_reactions r on r.message_id = t.id
        order by r.id`,
    ]);
    const mentionsOfChat = new Map(mentions.map((row) => [String(row.chat_id), Number(row.mention_count)]));
    const reactionsOf = new Map<string, ReactionRow[]>();
    for (const reaction of reactions as unknown as ReactionRow[])
      reactionsOf.set(reaction.message_id, [...(reactionsOf.get(reaction.message_id) ?? []), reaction]);
    const lastOf = new Map(
      (lasts as unknown as MessageRow[]).map((row) => [
        row.chat_id,
        toMessage(row, reactionsOf.get(row.id) ?? []),
      ]),
    );
    const markOfChat = new Map(marks.map((row) => [String(row.chat_id), row]));
    return ids.map((chatId): StoredSummary => {
      const row = markOfChat.get(chatId);
      return {
        chatId,
        messageCount: Number(row?.message_count ?? 0),
        mark: row && markOf(row as unknown as MarkRow),
        lastMessage: lastOf.get(chatId) ?? null,
        mentionCount: mentionsOfChat.get(chatId) ?? 0,
      };
    });
  }

  /** Every member's mark of a chat of the customer. */
  async receipts(customerId: string, chatId: string): Promise<ReadReceipt[]> {
    const rows: (MarkRow & { agent_id: string })[] = await this.db("members as m")
      .join("chats as c", "c.id", "m.chat_id")
      .where({ "m.chat_id": chatId, "c.customer_id": customerId })
      .select("m.agent_id", "m.read_ordinal", "m.read_message_id", "m.tm_read");
    return rows.map((row) => {
      const mark = markOf(row);
      return { owner_id: row.agent_id, last_read_message_id: mark.messageId, tm_read: mark.tm };
    });
  }
}
