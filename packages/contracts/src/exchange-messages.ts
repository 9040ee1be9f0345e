/**
 * What is published on each exchange, and the schema the bus checks it with (when publishing and
 * when delivering): public events on `events`, chat-manager's changes on `chatChanges`.
 */
import { type ChatChange, chatChangeSchema } from "./chat-changes";
import { type EventEnvelope, envelopeSchema } from "./events";

export interface ExchangeMessages {
  events: EventEnvelope;
  chatChanges: ChatChange;
}

/** An exchange messages are published to (`streams` is fed by `appendToStream` only). */
export type PublishedExchange = keyof ExchangeMessages;
export type ExchangeMessage<X extends PublishedExchange = PublishedExchange> = ExchangeMessages[X];

export const exchangeMessageSchemas = {
  events: envelopeSchema,
  chatChanges: chatChangeSchema,
} as const satisfies Record<PublishedExchange, object>;
