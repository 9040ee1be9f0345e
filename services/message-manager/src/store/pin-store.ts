/** Pins in message-manager's database: the pinned messages of a chat, newest pin first. */
import { type Message, normalizeTimestamp, type PageRequest } from "@talk/contracts";
import type { Knex } from "knex";
import { MESSAGE_COLUMNS, type MessageRow, type MessageStore, toMessage } from "./message-store";

const PINNED = "tm_pin < '9999-01-01 00:00:00'";

/** How many messages of the chat are pinned, and the latest pin time (the caller holds the chat lock). */
export async function pinsOf(
  trx: Knex.Transaction,
  chatId: string,
): Promise<{ count: number; latest: string | null }> {
  const row: { count: string | number; latest: string | null } = await trx("talk_messages")
    .where({ chat_id: chatId })
    .whereRaw(PINNED)
    .first(trx.raw("count(*) as count"), trx.raw("max(tm_pin) as latest"));
  return { count: Number(row.count), latest: row.latest };
}

export async function writePin(trx: Knex.Transaction, message: Message): Promise<void> {
  await trx("talk_messages")
    .where({ id: message.id })
    .update({ pinned_by: message.pinned_by, tm_pin: message.tm_pin });
}

/**
 * A chat's pinned messages, newest pin first, paged by `tm_pin` (unique within a chat: each pin
 * takes a time after the chat's latest, under the chat's lock).
 */
export async function listPins(
  store: MessageStore,
  chatId: string,
  page: PageRequest,
): Promise<{ result: Message[]; next_page_token: string }> {
  const size = page.page_size ?? 100;
  const query = store.db("talk_messages").where({ chat_id: chatId }).whereRaw(PINNED).select(MESSAGE_COLUMNS);
  if (page.page_token) query.andWhere("tm_pin", "<", page.page_token);
  const rows: MessageRow[] = await query.orderBy("tm_pin", "desc").limit(size + 1);
  const shown = rows.slice(0, size);
  const reactions = await store.reactionsOf(shown.map((r) => r.id));
  return {
    result: shown.map((row) =>
      toMessage(
        row,
        reactions.filter((r) => r.message_id === row.id),
      ),
    ),
    next_page_token: rows.length > size ? normalizeTimestamp(shown[shown.length - 1].tm_pin) : "",
  };
}
