/**
 * Which files the live messages reference, as seen by an agent: answers file-manager's read check
 * (docs/decisions/file-access.md) from the messages and the membership replica, with one indexed query.
 */
import type { Knex } from "knex";

export async function agentSeesFile(
  db: Knex,
  customerId: string,
  agentId: string,
  fileId: string,
): Promise<boolean> {
  const row = await db("talk_messages as m")
    .join("members as mb", "mb.chat_id", "m.chat_id")
    .join("chats as c", "c.id", "m.chat_id")
    .where({ "m.customer_id": customerId, "mb.agent_id": agentId, "c.deleted": false })
    .where("m.tm_delete", "9999-01-01 00:00:00")
    .whereRaw("m.medias <> '[]'::jsonb and m.medias @> ?::jsonb", [JSON.stringify([{ file_id: fileId }])])
    .first(db.raw("1 as found"));
  return Boolean(row);
}

/** The messages of a customer that attach a file (tombstones have no medias), by the GIN index. */
export function messagesAttaching(
  db: Knex,
  customerId: string,
  fileId: string,
): Promise<{ id: string; chat_id: string }[]> {
  return db("talk_messages")
    .where({ customer_id: customerId })
    .whereRaw("medias <> '[]'::jsonb and medias @> ?::jsonb", [JSON.stringify([{ file_id: fileId }])])
    .select("id", "chat_id");
}
