/**
 * A send, decided and built without I/O: whether it may be written (given what the replica says of
 * its chat, its sender and its parent), the message it makes, and the `chatmessage_created` event
 * that announces it. Every message — an agent's send or a system message — is built here.
 */
import {
  type Actor,
  type CreateMessageRequest,
  type EventEnvelope,
  type Media,
  type Message,
  NOT_DELETED,
  NOT_EDITED,
  NOT_PINNED,
} from "@talk/contracts";
import { type MentionsInText, NO_MENTIONS, type Participants, resolveMentions } from "./mentions";
import { type ChatView, assertChatVisible, assertMember, assertParent, parentIdOf } from "./message-rules";

/** What the replica holds about a send, read with its chat locked. */
export interface SendFacts {
  chat: ChatView | undefined;
  /** Whether the sender is a participant of the chat. */
  member: boolean;
  /** The message replied to, when the send is a reply and it exists. */
  parent?: Pick<Message, "chat_id" | "customer_id">;
  /** What the text mentions (none when absent), and who the chat's participants are. */
  mentions?: MentionsInText;
  participants?: Participants;
}

export type SendDecision =
  /** Written now, mentioning these agents. */
  | { write: true; mentions: string[] }
  /**
   * The replica cannot vouch for the sender (the chat or the membership is not, or not yet, in it):
   * chat-manager is asked, the replica given time to catch up, and the send decided again.
   */
  | { confirm: true }
  | { refuse: unknown };

/**
 * Decides a send. `confirmed`: chat-manager was asked and the replica caught up with its answer, so
 * what the replica says now is final.
 */
export function decideSend(
  actor: Actor,
  input: Pick<CreateMessageRequest, "chat_id" | "parent_id">,
  facts: SendFacts,
  confirmed: boolean,
): SendDecision {
  const { chat, member } = facts;
  const mentions = facts.mentions ?? NO_MENTIONS;
  const participants = facts.participants ?? NOBODY;
  // A mentioned agent the replica does not know as a participant may have just been added.
  const vouched =
    chat &&
    chat.customer_id === actor.customer_id &&
    !chat.deleted &&
    member &&
    mentions.ids.every((id) => participants.isMember(id));
  if (!vouched && !confirmed) return { confirm: true };
  try {
    assertChatVisible(chat, actor, input.chat_id, true);
    assertMember(member, input.chat_id);
    const parentId = parentIdOf(input);
    if (parentId) assertParent(facts.parent, parentId, { id: input.chat_id, customer_id: actor.customer_id });
    return { write: true, mentions: resolveMentions(mentions, actor.agent_id, participants) };
  } catch (error) {
    return { refuse: error };
  }
}

const NOBODY: Participants = { isMember: () => false, all: () => [] };

export interface NewMessage {
  id: string;
  customer_id: string;
  chat_id: string;
  parent_id?: string;
  owner_type: "agent" | "system";
  owner_id: string;
  type: "normal" | "system";
  text: string;
  medias: Media[];
  mentions?: string[];
}

/** The message as it is stored, answered and announced, made at `tm`. */
export function buildMessage(message: NewMessage, tm: string): Message {
  return {
    id: message.id,
    customer_id: message.customer_id,
    owner_type: message.owner_type,
    owner_id: message.owner_id,
    chat_id: message.chat_id,
    ...(message.parent_id ? { parent_id: message.parent_id } : {}),
    type: message.type,
    text: message.text,
    medias: message.medias,
    metadata: { reactions: [] },
    tm_create: tm,
    tm_update: tm,
    tm_delete: NOT_DELETED,
    tm_edit: NOT_EDITED,
    pinned_by: "",
    tm_pin: NOT_PINNED,
    mentions: message.mentions ?? [],
  };
}

/** An agent's send, as a message (`mentions`: as decided, `decideSend`). */
export function sentMessage(
  id: string,
  actor: Actor,
  input: CreateMessageRequest,
  tm: string,
  mentions: string[] = [],
): Message {
  return buildMessage(
    {
      id,
      customer_id: actor.customer_id,
      chat_id: input.chat_id,
      parent_id: parentIdOf(input),
      owner_type: "agent",
      owner_id: actor.agent_id,
      type: "normal",
      text: input.text ?? "",
      medias: input.medias ?? [],
      mentions,
    },
    tm,
  );
}

/** The system message that says who joined or left a chat. */
export function systemMessage(
  id: string,
  chat: { customer_id: string; chat_id: string },
  text: string,
  tm: string,
): Message {
  return buildMessage(
    { id, ...chat, owner_type: "system", owner_id: "", type: "system", text, medias: [] },
    tm,
  );
}

/** The event of a new message: what the outbox is given (it adds the id, version and publisher). */
export type MessageCreated = Pick<
  EventEnvelope<"chatmessage_created">,
  "type" | "customer_id" | "chat_id" | "seq" | "time" | "data"
> & { request_id?: string };

/** The `chatmessage_created` event of a message, as the chat's event number `seq`. */
export function messageCreated(message: Message, seq: number, requestId?: string): MessageCreated {
  return {
    type: "chatmessage_created",
    customer_id: message.customer_id,
    chat_id: message.chat_id,
    seq,
    time: message.tm_create,
    data: message,
    request_id: requestId,
  };
}
