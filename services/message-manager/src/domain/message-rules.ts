/**
 * Message rules (SPEC §2), without I/O: what may be posted, replied to, deleted and reacted to,
 * and what a deleted message keeps.
 */
import {
  type Actor,
  type CreateMessageRequest,
  type Message,
  LIMITS,
  NOT_DELETED,
  conflict,
  forbidden,
  invalid,
  isDeleted,
  notFound,
} from "@talk/contracts";

export { NOT_DELETED, isDeleted };

/** The chat as message-manager knows it (its replica of chat-manager's state). */
export interface ChatView {
  id: string;
  customer_id: string;
  deleted: boolean;
}

/** Agents post only "normal" messages: the contract's CreateMessageRequest has no other type. */
export function assertPostable(input: CreateMessageRequest): void {
  if (!(input.text ?? "").trim() && !(input.medias ?? []).length)
    throw invalid("EMPTY_MESSAGE", "A message needs text or at least one media.");
}

/** The seed allows "" for "no parent". */
export function parentIdOf(input: Pick<CreateMessageRequest, "parent_id">): string | undefined {
  return input.parent_id ? input.parent_id : undefined;
}

/** Another customer's message answers exactly as an unknown id: its existence is not revealed. */
export function assertParent(
  parent: Pick<Message, "chat_id" | "customer_id"> | undefined,
  parentId: string,
  chat: { id: string; customer_id: string },
): void {
  if (!parent || parent.customer_id !== chat.customer_id)
    throw notFound("PARENT_NOT_FOUND", `No message ${parentId} exists to reply to.`);
  const chatId = chat.id;
  if (parent.chat_id !== chatId)
    throw invalid(
      "PARENT_IN_OTHER_CHAT",
      `Message ${parentId} is not in chat ${chatId}; a reply must be in its parent's chat.`,
    );
}

/** Chats of other customers, and deleted chats for writes, do not exist for the caller. */
export function assertChatVisible(
  chat: ChatView | undefined,
  actor: Actor,
  chatId: string,
  forWrite: boolean,
): ChatView {
  if (!chat || chat.customer_id !== actor.customer_id || (forWrite && chat.deleted))
    throw notFound("CHAT_NOT_FOUND", `No chat ${chatId} exists.`);
  return chat;
}

export function assertMember(member: boolean, chatId: string): void {
  if (!member) throw forbidden("NOT_A_PARTICIPANT", `You are not a participant of chat ${chatId}.`);
}

export function assertAuthor(message: Message, actor: Actor): void {
  if (message.owner_type !== "agent" || message.owner_id !== actor.agent_id)
    throw forbidden("NOT_THE_AUTHOR", "Only the author of a message can delete it.");
}

export function assertReactable(message: Message): void {
  if (isDeleted(message))
    throw invalid("MESSAGE_DELETED", `Message ${message.id} was deleted; it takes no reactions.`);
}

/** Distinct emoji a message holds at most (Slack's bound): each reaction event carries the whole list. */
export const MAX_DISTINCT_REACTIONS = LIMITS.distinctReactionsPerMessage;

/** Adding `emoji`: an emoji already on the message always fits; a new one only below the bound. */
export function assertReactionFits(message: Message, emoji: string): void {
  const distinct = new Set(message.metadata.reactions.map((r) => r.emoji));
  if (!distinct.has(emoji) && distinct.size >= MAX_DISTINCT_REACTIONS)
    throw conflict(
      "TOO_MANY_REACTIONS",
      `Message ${message.id} already has ${MAX_DISTINCT_REACTIONS} different emoji, the most a message takes; react with one of those.`,
    );
}

export function systemText(name: string, change: "joined" | "left"): string {
  return `${name} ${change} the conversation.`;
}
