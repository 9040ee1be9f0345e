/**
 * Edits (issue 12), without I/O: who may edit a message, and what an edit makes of it. The author
 * edits their own normal, not deleted message; an edit replaces the text, the medias or both, and
 * the message must keep text or a media. The version it replaces goes into the message's history.
 */
import {
  type Actor,
  type EditMessageRequest,
  type Message,
  type MessageVersion,
  NOT_EDITED,
  forbidden,
  invalid,
  isDeleted,
} from "@talk/contracts";

export function assertEditable(message: Message, actor: Actor): void {
  if (message.type === "system" || message.owner_type === "system")
    throw forbidden(
      "SYSTEM_MESSAGE_IMMUTABLE",
      `Message ${message.id} is a system message; nobody can edit it.`,
    );
  if (message.owner_id !== actor.agent_id)
    throw forbidden("NOT_THE_AUTHOR", "Only the author of a message can edit it.");
  if (isDeleted(message))
    throw invalid("MESSAGE_DELETED", `Message ${message.id} was deleted; it cannot be edited.`);
}

/** What an edit changes; `undefined` when it changes nothing (the same text and medias). */
export function editOf(
  message: Message,
  edit: EditMessageRequest,
): Pick<Message, "text" | "medias"> | undefined {
  const text = edit.text ?? message.text;
  const medias = edit.medias ?? message.medias;
  if (!text.trim() && medias.length === 0)
    throw invalid("EMPTY_MESSAGE", "An edit must leave the message with text or at least one media.");
  if (text === message.text && JSON.stringify(medias) === JSON.stringify(message.medias)) return undefined;
  return { text, medias };
}

/** The version an edit at `tm` replaces. */
export function replacedVersion(message: Message, tm: string): MessageVersion {
  return {
    message_id: message.id,
    text: message.text,
    medias: message.medias,
    tm_create: message.tm_edit < NOT_EDITED ? message.tm_edit : message.tm_create,
    tm_replace: tm,
  };
}

/** The message after the edit at `tm`. */
export function editedMessage(
  message: Message,
  change: Pick<Message, "text" | "medias"> & Partial<Pick<Message, "mentions">>,
  tm: string,
): Message {
  return { ...message, ...change, tm_edit: tm, tm_update: tm };
}
