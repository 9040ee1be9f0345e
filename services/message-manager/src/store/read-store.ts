/** Read marks, unread counts and last messages in message-manager's database (see domain/read-state.ts). */
import { type Message, type ReadReceipt, normalizeTimestamp } from "@talk/contracts";
import { prepared } from "@talk/db";
import type { Knex } from "knex";
import { MESSAGE_COLUMNS, type MessageRow, type ReactionRow, toMessage } from "./message-store";

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

/** The newest message's columns in a summary row: each as `last_<column>`. */
const LAST_COLUMNS = MESSAGE_COLUMNS.map((column) => `t.${column} as last_${column}`).join(", ");

/** One row of `summaries`: a chat the agent is a member of, its mark and its newest message. */
type SummaryRow = MarkRow & {
  chat_id: string;
  /** False when the chat is not the customer's: no mark, no count. */
  in_customer: boolean;
  message_count: string | number | null;
  mention_count: string | number;
  last_reactions: ReactionRow[] | string;
} & { [K in keyof MessageRow as `last_${K}`]: MessageRow[K] | null };

function lastMessageOf(row: SummaryRow): MessageRow {
  const message: Record<string, unknown> = {};
  for (const column of MESSAGE_COLUMNS) message[column] = row[`last_${column}` as keyof SummaryRow];
  return message as unknown as MessageRow;
}

const reactionsOf = (value: ReactionRow[] | string): ReactionRow[] =>
  typeof value === "string" ? (JSON.parse(value) as ReactionRow[]) : value;

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
   * message with its reactions — zero, null and null where the agent is not a member. One statement
   * whatever the number of chats, kept prepared (planning its parts cost PostgreSQL four times more
   * than running them); each chat costs index lookups, never a count of its messages: its mark (the
   * chat must be the customer's), the newest message (an index range read backwards, limit 1), and
   * its mentions of the agent after the mark (one range of (agent_id, chat_id, tm_create) bounded
   * below by the mark's time — an `is null or >` condition would not bound it).
   */
  async summaries(customerId: string, agentId: string, chatIds: string[]): Promise<StoredSummary[]> {
    const ids = [...new Set(chatIds)];
    if (ids.length === 0) return [];
    const rows = await prepared<SummaryRow>(
      this.db,
      "read-summaries",
      `select ids.chat_id, c.id is not null as in_customer, c.message_count,
              m.read_ordinal, m.read_message_id, m.tm_read,
              (select count(*) from talk_mentions x
                where x.agent_id = m.agent_id and x.chat_id = m.chat_id
                  and x.tm_create > coalesce(
                    (select r.tm_create from talk_messages r where r.id = m.read_message_id),
                    '-infinity')) as mention_count,
              ${LAST_COLUMNS},
              (select coalesce(json_agg(json_build_object(
                        'message_id', r.message_id, 'emoji', r.emoji,
                        'owner_id', r.owner_id, 'tm_create', r.tm_create) order by r.id), '[]')
                 from talk_reactions r where r.message_id = t.id) as last_reactions
         from unnest(?::uuid[]) as ids(chat_id)
         join members m on m.chat_id = ids.chat_id and m.agent_id = ?
         left join chats c on c.id = ids.chat_id and c.customer_id = ?
         left join lateral (
              select ${MESSAGE_COLUMNS.join(", ")} from talk_messages t
               where t.chat_id = ids.chat_id and t.parent_id is null and t.customer_id = ?
               order by t.tm_create desc limit 1) t on true`,
      [`{${ids.join(",")}}`, agentId, customerId, customerId],
    );
    const byChat = new Map(rows.map((row) => [row.chat_id, row]));
    return ids.map((chatId): StoredSummary => {
      const row = byChat.get(chatId);
      return {
        chatId,
        messageCount: row?.in_customer ? Number(row.message_count) : 0,
        mark: row?.in_customer ? markOf(row) : undefined,
        lastMessage: row?.last_id ? toMessage(lastMessageOf(row), reactionsOf(row.last_reactions)) : null,
        mentionCount: Number(row?.mention_count ?? 0),
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
