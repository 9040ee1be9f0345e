/**
 * The chat-changes protocol: how chat-manager tells message-manager what changed in a chat, on the
 * internal `talk.chat-changes` exchange (one single-active-consumer queue, in order). It flows one
 * way: message-manager never calls back to learn more.
 *
 * - Every change of a chat has the chat's next `revision` in chat-manager: 1, 2, 3… with no gaps.
 *   message-manager applies a chat's changes in revision order, each once, and keeps the revision it
 *   applied last. chat-manager's writes answer the chat's revision after them, so a caller can wait
 *   until message-manager has applied the write (`message.awaitChatRevision`).
 * - A revision is not an event `seq`: message-manager gives each applied change (and the system
 *   message of a join or leave) the chat's next public `seq`, shared with message events, and
 *   publishes it on `talk.events` as the event of the same `type`, `id`, `data` and `time`.
 * - A participant change carries the agent's name (`agent_name`, as agent-manager had it when the
 *   agent was added), so the system message needs nothing from agent-manager.
 */
import type { EventPayload, EventType } from "./events";
import type { ChatChangeHeader } from "./generated/types";
import { timestamp, traceContextFields, uuid } from "./schemas/common";

export const CHAT_CHANGE_TYPES = [
  "chat_created",
  "chat_updated",
  "chat_deleted",
  "chatparticipant_added",
  "chatparticipant_removed",
] as const satisfies readonly EventType[];
export type ChatChangeType = (typeof CHAT_CHANGE_TYPES)[number];
export type ParticipantChangeType = "chatparticipant_added" | "chatparticipant_removed";

export const CHAT_CHANGE_VERSION = 1;

export const chatChangeSchema = {
  $id: "ChatChange",
  type: "object",
  additionalProperties: false,
  required: ["id", "type", "version", "customer_id", "chat_id", "revision", "time", "data"],
  properties: {
    /** Kept as the id of the public event. */
    id: uuid,
    type: { type: "string", enum: CHAT_CHANGE_TYPES },
    version: { type: "integer", minimum: 1 },
    customer_id: uuid,
    chat_id: uuid,
    /** The chat's revision in chat-manager after this change: gapless, increasing per chat, from 1. */
    revision: { type: "integer", minimum: 1 },
    time: timestamp,
    request_id: { type: "string" },
    ...traceContextFields,
    /** The public event's data (a chat, or a participant). */
    data: { type: "object" },
    /** Participant changes: the agent's name, for the system message ("" when it has none). */
    agent_name: { type: "string", maxLength: 255 },
  },
} as const;

export type { ChatChangeHeader };

/** A change whose `data` is typed by its `type`; participant changes name their agent. */
export type ChatChange<T extends ChatChangeType = ChatChangeType> = {
  [K in T]: ChatChangeHeader & { type: K; data: EventPayload<K> } & (K extends ParticipantChangeType
      ? { agent_name: string }
      : { agent_name?: never });
}[T];

/** A change as chat-manager emits it: the outbox gives it its id and version. */
export type ChatChangeDraft<T extends ChatChangeType = ChatChangeType> = {
  [K in T]: Omit<ChatChange<K>, "id" | "version">;
}[T];

export function isParticipantChange(change: ChatChange): change is ChatChange<ParticipantChangeType> {
  return change.type === "chatparticipant_added" || change.type === "chatparticipant_removed";
}
