/**
 * Chat and participant rules (SPEC §2), without I/O: every decision chat-manager makes about who
 * may do what to which chat is made here, from plain values, and tested on its own.
 */
import {
  type Actor,
  type Chat,
  type ChatType,
  type ParticipantRef,
  forbidden,
  invalid,
  isDeleted,
  notFound,
} from "@talk/contracts";

export type { ParticipantRef };

/**
 * The agents a new chat starts with: the creator first, then the others in the order given,
 * without repeats. A direct chat is the creator plus exactly one other agent.
 */
export function initialMembers(
  type: ChatType,
  creatorId: string,
  participants: ParticipantRef[] = [],
): string[] {
  const others = [...new Set(participants.map((p) => p.owner_id))].filter((id) => id !== creatorId);
  if (type === "direct" && others.length !== 1)
    throw invalid(
      "DIRECT_CHAT_NEEDS_ONE_OTHER",
      `A direct chat is between you and exactly one other agent; participants named ${others.length} other agent(s).`,
    );
  return [creatorId, ...others];
}

/** The key that makes a direct chat between two agents unique within a customer. */
export function directKey(customerId: string, agentIds: readonly string[]): string {
  const [a, b] = [...agentIds].sort();
  return `${customerId}:${a}:${b}`;
}

export { isDeleted };

export interface ChatAccess {
  chat: Chat;
  /** Whether the caller is a participant of the chat. */
  member: boolean;
}

/** What moderating a chat needs to know beyond access: who created it, and who is asking. */
export interface ChatAuthority extends ChatAccess {
  /** The agent who created the chat; null for chats created before creators were recorded. */
  creatorId: string | null;
  actor: Actor;
}

const isCreatorOrAdmin = ({ creatorId, actor }: ChatAuthority) =>
  actor.permission === "admin" || (creatorId !== null && creatorId === actor.agent_id);

const chatNotFound = (id: string) => notFound("CHAT_NOT_FOUND", `No chat ${id} exists.`);

/** A chat of another customer does not exist, as far as the caller can tell. */
export function assertSameCustomer(actor: Actor, chat: Chat | undefined, chatId: string): Chat {
  if (!chat || chat.customer_id !== actor.customer_id) throw chatNotFound(chatId);
  return chat;
}

/** Reading a chat: participants see it (deleted or not); anyone of the customer sees a live public channel. */
export function assertCanRead({ chat, member }: ChatAccess): void {
  if (member) return;
  if (chat.type === "talk" && !isDeleted(chat)) return;
  if (isDeleted(chat)) throw chatNotFound(chat.id);
  throw forbidden("NOT_A_PARTICIPANT", `You are not a participant of chat ${chat.id}.`);
}

/** Changing a chat or its participants: only participants, and never a deleted chat. */
export function assertCanWrite({ chat, member }: ChatAccess): void {
  if (isDeleted(chat)) throw chatNotFound(chat.id);
  if (!member) throw forbidden("NOT_A_PARTICIPANT", `You are not a participant of chat ${chat.id}.`);
}

/**
 * Deleting a chat, for everyone: a channel or a group is deleted by the agent who created it or by
 * a customer admin (participant or not); a direct chat by either of its two agents.
 */
export function assertCanDelete(authority: ChatAuthority): void {
  const { chat, member } = authority;
  if (isDeleted(chat)) throw chatNotFound(chat.id);
  if (chat.type === "direct") return assertCanWrite(authority);
  if (isCreatorOrAdmin(authority)) return;
  if (!member && chat.type !== "talk")
    throw forbidden("NOT_A_PARTICIPANT", `You are not a participant of chat ${chat.id}.`);
  throw forbidden(
    "NOT_CHAT_CREATOR",
    `Only the agent who created chat ${chat.id} or a customer admin may delete it.`,
  );
}

/**
 * Renaming or re-describing a chat: a public channel's name and detail are its creator's or a
 * customer admin's to change; a group's or a direct chat's, any participant's.
 */
export function assertCanUpdate(authority: ChatAuthority): void {
  const { chat } = authority;
  if (chat.type !== "talk") return assertCanWrite(authority);
  if (isDeleted(chat)) throw chatNotFound(chat.id);
  if (isCreatorOrAdmin(authority)) return;
  throw forbidden(
    "NOT_CHAT_CREATOR",
    `Only the agent who created channel ${chat.id} or a customer admin may change its name or detail.`,
  );
}

/** Adding an agent who is not yet a participant. */
export function assertCanAddMember(chat: Chat): void {
  if (chat.type === "direct")
    throw invalid(
      "DIRECT_CHAT_FULL",
      "A direct chat is between exactly two agents; create a group chat to add more.",
    );
}

/** Joining on one's own: only public channels, only while they exist. */
export function assertCanJoin(chat: Chat): void {
  if (isDeleted(chat)) throw chatNotFound(chat.id);
  if (chat.type !== "talk")
    throw invalid(
      "NOT_A_CHANNEL",
      `Only public channels (type "talk") can be joined; chat ${chat.id} is a ${chat.type} chat.`,
    );
}

/** Removing a participant: anyone may leave; in a direct chat nobody removes the other. */
export function assertCanRemove(access: ChatAccess, actor: Actor, ownerId: string): void {
  assertCanWrite(access);
  if (ownerId !== actor.agent_id && access.chat.type === "direct")
    throw forbidden("DIRECT_CHAT_MEMBERS_FIXED", "In a direct chat you can remove only yourself.");
}
