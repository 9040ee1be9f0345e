/**
 * Events: every committed change is published to one durable topic exchange as an envelope.
 * Routing key: `<type>.<customer_id>.<chat_id>`, so a consumer can bind to one type
 * (`chat_created.#`), one customer (`*.<customer_id>.*`) or one chat (`*.*.<chat_id>`).
 */
import { timestamp, traceContextFields, uuid } from "./schemas/common";
import type { EventEnvelopeHeader, EventPayloads } from "./generated/types";
import { chatReadSchema, chatSchema, messageSchema, participantSchema } from "./schemas/resources";

export const EVENTS_EXCHANGE = "talk.events";

/**
 * The topic exchanges. `events` is the public stream every consumer may bind to; `chatChanges` is
 * chat-manager's internal stream, read by message-manager, which sequences every event of a chat
 * (chat changes and messages alike) into `events` with one gapless per-chat `seq`. `streams`
 * carries appends to streams (`Bus.appendToStream`): each stream is bound to it by its own name.
 */
export const EXCHANGES = {
  events: EVENTS_EXCHANGE,
  chatChanges: "talk.chat-changes",
  streams: "talk.streams",
} as const;
export type ExchangeName = keyof typeof EXCHANGES;

/** message-manager's queue of chat changes: declared by chat-manager too, so none is ever dropped. */
export const CHAT_CHANGES_SUBSCRIPTION = {
  queue: "talk.message-manager.chat-changes",
  bindings: ["#"],
  exchange: "chatChanges",
  singleActiveConsumer: true,
  prefetch: 64,
} as const;
export const EVENT_SCHEMA_VERSION = 1;

export const eventPayloads = {
  chat_created: chatSchema,
  chat_updated: chatSchema,
  chat_deleted: chatSchema,
  chatparticipant_added: participantSchema,
  chatparticipant_removed: participantSchema,
  chatmessage_created: messageSchema,
  chatmessage_deleted: messageSchema,
  chatmessage_reaction_updated: messageSchema,
  /** Its author edited the text or medias (tm_edit set; the earlier version is in its history). */
  chatmessage_updated: messageSchema,
  chatmessage_pinned: messageSchema,
  chatmessage_unpinned: messageSchema,
  /** A participant marked the chat read: to the reader's own agent topic only (its other devices). */
  chat_read: chatReadSchema,
  /** The same mark as a read receipt, to the chat's participants. */
  chatparticipant_read: chatReadSchema,
} as const;

export type EventType = keyof typeof eventPayloads;
export const EVENT_TYPES = Object.keys(eventPayloads) as EventType[];
export type EventPayload<T extends EventType> = EventPayloads[T];

export const envelopeSchema = {
  $id: "EventEnvelope",
  type: "object",
  additionalProperties: false,
  required: ["id", "type", "version", "publisher", "customer_id", "chat_id", "seq", "time", "data"],
  properties: {
    id: uuid,
    type: { type: "string", enum: EVENT_TYPES },
    version: { type: "integer", minimum: 1 },
    publisher: { type: "string" },
    customer_id: uuid,
    chat_id: uuid,
    /** Gapless, increasing per chat: consumers order by it and detect gaps. */
    seq: { type: "integer", minimum: 1 },
    time: timestamp,
    request_id: { type: "string" },
    ...traceContextFields,
    data: { type: "object" },
  },
} as const;

/** An envelope whose `data` is typed by its `type`. */
export type EventEnvelope<T extends EventType = EventType> = {
  [K in T]: EventEnvelopeHeader & { type: K; data: EventPayload<K> };
}[T];

export type { EventEnvelopeHeader };

export function routingKey(event: Pick<EventEnvelope, "type" | "customer_id" | "chat_id">): string {
  return `${event.type}.${event.customer_id}.${event.chat_id}`;
}

export function isEventType(value: unknown): value is EventType {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(eventPayloads, value);
}
