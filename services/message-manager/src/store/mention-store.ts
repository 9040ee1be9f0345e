/**
 * Mentions in message-manager's database (docs/decisions/mentions.md): the mention rows of a
 * message, kept with it through edits and deletions, and the lists across chats — the newest
 * messages of all the caller's chats, or those mentioning the caller — paged by time and id.
 */
import type { Message } from "@talk/contracts";
import type { Knex } from "knex";
import type { SearchCursor } from "../domain/search";
import {
  MESSAGE_COLUMNS,
  type MessageRow,
  type MessageStore,
  insertingMentions,
  toMessage,
} from "./message-store";
import { runAsOne } from "@talk/db";

type Db = Knex | Knex.Transaction;

/** Every participant of a chat, as the replica has them. */
export async function participantsOf(db: Db, chatId: string): Promise<string[]> {
  const rows: { agent_id: string }[] = await db("members").where({ chat_id: chatId }).select("agent_id");
  return rows.map((row) => row.agent_id);
}

/** A message's mentions become `message.mentions` (after an edit; [] for a deletion). */
export async function replaceMentions(trx: Knex.Transaction, message: Message): Promise<void> {
  await trx("talk_mentions").where({ message_id: message.id }).delete();
  await trx("talk_messages")
    .where({ id: message.id })
    .update({ mentions: JSON.stringify(message.mentions) });
  await runAsOne(trx, insertingMentions([message]));
}

/** The messages after the member's mark (`readMessageId`, null: nothing read) that mention it. */
export async function mentionsAfter(
  db: Db,
  chatId: string,
  agentId: string,
  readMessageId: string | null,
): Promise<number> {
  const query = db("talk_mentions as x").where({ "x.chat_id": chatId, "x.agent_id": agentId });
  if (readMessageId)
    query.where("x.tm_create", ">", db("talk_messages").where({ id: readMessageId }).select("tm_create"));
  const row = await query.count<{ count: string | number }[]>({ count: "*" }).first();
  return Number(row?.count ?? 0);
}

export interface FeedRequest {
  customerId: string;
  agentId: string;
  /** Only the messages that mention the agent. */
  mentions: boolean;
  chatId?: string;
  size: number;
  after?: SearchCursor;
}

/**
 * Messages of the live chats the agent is a participant of, newest first (by time, then id: times
 * are unique within a chat, not across chats), after the cursor. All of them: one index range per
 * chat, merged; the mentions: one range of the agent's mention index.
 */
export async function feed(store: MessageStore, request: FeedRequest): Promise<Message[]> {
  const db = store.db;
  const { after } = request;
  const before = (q: Knex.QueryBuilder, time: string, id: string) => {
    if (after)
      q.where(time, "<=", after.tm_create).andWhere((w) =>
        w.where(time, "<", after.tm_create).orWhere(id, "<", after.id),
      );
  };
  const chats = db("members as m")
    .join("chats as c", "c.id", "m.chat_id")
    .where({ "m.agent_id": request.agentId, "c.customer_id": request.customerId, "c.deleted": false })
    .modify((q) => {
      if (request.chatId) q.andWhere("m.chat_id", request.chatId);
    });
  let rows: MessageRow[];
  if (request.mentions) {
    const query = db("talk_mentions as x")
      .join("talk_messages as t", "t.id", "x.message_id")
      .where("x.agent_id", request.agentId)
      .whereIn("x.chat_id", chats.clone().select("m.chat_id"))
      .select(MESSAGE_COLUMNS.map((c) => `t.${c}`))
      .orderBy([
        { column: "x.tm_create", order: "desc" },
        { column: "x.message_id", order: "desc" },
      ])
      .limit(request.size);
    if (request.chatId) query.andWhere("x.chat_id", request.chatId);
    before(query, "x.tm_create", "x.message_id");
    rows = await query;
  } else {
    // Per chat, its newest `size` messages after the cursor (the (chat_id, tm_create) index), then merged.
    const newest = db("talk_messages as t")
      .whereRaw("t.chat_id = m.chat_id")
      .select(MESSAGE_COLUMNS.map((c) => `t.${c}`))
      .orderBy([
        { column: "t.tm_create", order: "desc" },
        { column: "t.id", order: "desc" },
      ])
      .limit(request.size);
    before(newest, "t.tm_create", "t.id");
    const lateral = newest.toSQL();
    rows = await chats
      .joinRaw(`cross join lateral (${lateral.sql}) as t`, [...lateral.bindings])
      .select("t.*")
      .orderBy([
        { column: "t.tm_create", order: "desc" },
        { column: "t.id", order: "desc" },
      ])
      .limit(request.size);
  }
  const reactions = await store.reactionsOf(rows.map((r) => r.id));
  return rows.map((row) =>
    toMessage(
      row,
      reactions.filter((r) => r.message_id === row.id),
    ),
  );
}
