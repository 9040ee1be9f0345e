/** Edits in message-manager's database: the message's new text and medias, and its earlier versions. */
import {
  type Media,
  type Message,
  type MessageVersion,
  normalizeTimestamp,
  type PageRequest,
} from "@talk/contracts";
import { paginate } from "@talk/db";
import type { Knex } from "knex";

interface VersionRow {
  message_id: string;
  text: string;
  medias: Media[] | string;
  tm_create: string;
  tm_replace: string;
}

const toVersion = (row: VersionRow): MessageVersion => ({
  message_id: row.message_id,
  text: row.text,
  medias: typeof row.medias === "string" ? (JSON.parse(row.medias) as Media[]) : row.medias,
  tm_create: normalizeTimestamp(row.tm_create),
  tm_replace: normalizeTimestamp(row.tm_replace),
});

/** Writes an edit: the replaced version into the history, the edited message in place. */
export async function writeEdit(
  trx: Knex.Transaction,
  replaced: MessageVersion,
  edited: Message,
): Promise<void> {
  await trx("talk_message_versions").insert({ ...replaced, medias: JSON.stringify(replaced.medias) });
  await trx("talk_messages")
    .where({ id: edited.id })
    .update({
      text: edited.text,
      medias: JSON.stringify(edited.medias),
      tm_edit: edited.tm_edit,
      tm_update: edited.tm_update,
    });
}

/** A message's earlier versions, newest first (each version's tm_create is unique within its message). */
export async function listVersions(
  db: Knex,
  messageId: string,
  page: PageRequest,
): Promise<{ result: MessageVersion[]; next_page_token: string }> {
  const { rows, next_page_token } = await paginate<VersionRow>(
    db("talk_message_versions").where({ message_id: messageId }),
    page,
  );
  return { result: rows.map(toVersion), next_page_token };
}
