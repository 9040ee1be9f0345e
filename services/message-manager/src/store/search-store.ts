/**
 * Full-text search of messages (PostgreSQL's tsvector, GIN-indexed; see docs/decisions/search.md).
 * Only messages of chats the caller may read: those the replica lists the caller as a member of,
 * and the customer's live public channels when asked (`channels=all`) or named (`chat_id`). A chat
 * the caller left is no longer theirs; another customer's never is.
 */
import type { Message } from "@talk/contracts";
import type { Knex } from "knex";
import { MESSAGE_COLUMNS, type MessageRow, type MessageStore, toMessage } from "./message-store";

/** Where a page ends: the last hit's rank (for relevance), time and id. */
export interface SearchCursor {
  rank?: number;
  tm_create: string;
  id: string;
}

export interface SearchRequest {
  customerId: string;
  agentId: string;
  q: string;
  chatId?: string;
  ownerId?: string;
  allChannels: boolean;
  order: "newest" | "relevance";
  /** What ts_headline puts before and after each match. */
  marks: [string, string];
  size: number;
  after?: SearchCursor;
}

export interface Found {
  message: Message;
  headline: string;
  cursor: SearchCursor;
}

const headlineOptions = ([start, stop]: [string, string]) =>
  `StartSel=${start}, StopSel=${stop}, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "`;

export async function searchMessages(store: MessageStore, request: SearchRequest): Promise<Found[]> {
  const db: Knex = store.db;
  const channels = request.allChannels || request.chatId !== undefined;
  const readable = db
    .select("chat_id")
    .from("members")
    .where({ agent_id: request.agentId })
    .modify((q) => {
      if (channels)
        q.union((u) =>
          u
            .select("id")
            .from("chats")
            .where({ customer_id: request.customerId, type: "talk", deleted: false }),
        );
    });
  const query = db
    .from(db.raw("talk_messages as m, websearch_to_tsquery('simple', ?) as q", [request.q]))
    .select(MESSAGE_COLUMNS.map((c) => `m.${c}`))
    .select(
      db.raw("ts_headline('simple', m.text, q, ?) as headline", [headlineOptions(request.marks)]),
      db.raw("ts_rank(m.search, q) as rank"),
    )
    .where("m.customer_id", request.customerId)
    .whereRaw("m.search @@ q")
    .whereRaw("m.tm_delete >= '9999-01-01 00:00:00'")
    .whereIn("m.chat_id", readable);
  if (request.chatId) query.andWhere("m.chat_id", request.chatId);
  if (request.ownerId) query.andWhere("m.owner_id", request.ownerId);
  const after = request.after;
  if (request.order === "relevance") {
    if (after)
      query.whereRaw("(ts_rank(m.search, q), m.tm_create, m.id) < (?::real, ?::timestamp, ?::uuid)", [
        after.rank ?? 0,
        after.tm_create,
        after.id,
      ]);
    query.orderByRaw("rank desc, m.tm_create desc, m.id desc");
  } else {
    if (after) query.whereRaw("(m.tm_create, m.id) < (?::timestamp, ?::uuid)", [after.tm_create, after.id]);
    query.orderByRaw("m.tm_create desc, m.id desc");
  }
  const rows: (MessageRow & { headline: string; rank: number })[] = await query.limit(request.size);
  const reactions = await store.reactionsOf(rows.map((r) => r.id));
  return rows.map((row) => {
    const message = toMessage(
      row,
      reactions.filter((r) => r.message_id === row.id),
    );
    return {
      message,
      headline: row.headline,
      cursor: { rank: Number(row.rank), tm_create: message.tm_create, id: message.id },
    };
  });
}
