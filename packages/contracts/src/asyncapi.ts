/**
 * The AsyncAPI 3.1 document of every public event, generated from the same schemas the bus
 * validates with: one channel per event type on the `talk.events` topic exchange.
 */
import { signalsAsyncApi } from "./asyncapi-signals";
import { EVENTS_EXCHANGE, EVENT_TYPES, envelopeSchema, eventPayloads, type EventType } from "./events";

const strip = ({ $id: _id, ...schema }: { $id?: string } & object) => schema;

const describe: Record<EventType, string> = {
  chat_created: "A chat was created (followed by one chatparticipant_added per initial participant).",
  chat_updated: "A chat's name or detail changed.",
  chat_deleted: "A chat was deleted (soft); no events of the chat follow.",
  chatparticipant_added: "An agent joined a chat (followed by its system message).",
  chatparticipant_removed: "An agent left or was removed from a chat (followed by its system message).",
  chatmessage_created:
    "A message was posted (also system messages: joins and leaves); data.mentions lists the agents it mentions (a client whose agent is in it counts a mention).",
  chatmessage_deleted: "A message was deleted; data is its tombstone.",
  chatmessage_reaction_updated: "A reaction was added to or removed from a message; data is the message.",
  chatmessage_updated:
    "Its author edited a message's text or medias; data is the message (tm_edit set, mentions recomputed), the earlier version is in its history.",
  chatmessage_pinned: "A participant pinned a message; data is the message (pinned_by, tm_pin).",
  chatmessage_unpinned:
    'A participant unpinned a message; data is the message (pinned_by "", tm_pin the sentinel).',
  chat_read:
    "The reader marked the chat read (data: its mark, unread and mention counts); only on the reader's own agent topics.",
  chatparticipant_read: "A participant marked the chat read: a read receipt, to the chat's participants.",
};

export function asyncApiDocument() {
  const channels: Record<string, object> = {};
  const operations: Record<string, object> = {};
  const messages: Record<string, object> = {};
  for (const type of EVENT_TYPES) {
    messages[type] = {
      name: type,
      title: type,
      summary: describe[type],
      contentType: "application/json",
      payload: {
        ...strip(envelopeSchema),
        properties: { ...envelopeSchema.properties, type: { const: type }, data: strip(eventPayloads[type]) },
      },
      bindings: { amqp: { messageType: type, bindingVersion: "0.3.0" } },
    };
    channels[type] = {
      address: `${type}.{customer_id}.{chat_id}`,
      description: describe[type],
      parameters: {
        customer_id: { description: "The customer (tenant) id" },
        chat_id: { description: "The chat id" },
      },
      messages: { [type]: { $ref: `#/components/messages/${type}` } },
      bindings: {
        amqp: {
          is: "routingKey",
          exchange: { name: EVENTS_EXCHANGE, type: "topic", durable: true, autoDelete: false, vhost: "/" },
          bindingVersion: "0.3.0",
        },
      },
    };
    operations[`receive_${type}`] = {
      action: "receive",
      channel: { $ref: `#/channels/${type}` },
      messages: [{ $ref: `#/channels/${type}/messages/${type}` }],
      // persistent: the relay publishes every event with delivery mode 2
      bindings: { amqp: { deliveryMode: 2, bindingVersion: "0.3.0" } },
    };
  }
  const signals = signalsAsyncApi();
  return {
    asyncapi: "3.1.0",
    info: {
      title: "Talk events",
      version: "1.0.0",
      description: [
        `Every committed change is published, after its transaction commits, to the durable topic exchange "${EVENTS_EXCHANGE}"`,
        "with routing key <type>.<customer_id>.<chat_id>: bind `chat_created.#` for one type, `*.<customer>.*` for one customer,",
        "`*.*.<chat>` for one chat. Delivery is at-least-once: deduplicate by `id`. `seq` is gapless and increasing per chat",
        "across every event type, so consumers can order a chat's events and detect a gap.",
        'Presence and typing are not events: they travel as transient signals on the "talk.signals" topic exchange',
        "(not persistent, no seq, lost when nobody listens) and reach clients as WebSocket frames (docs/websocket.md, docs/decisions/presence.md).",
      ].join(" "),
    },
    defaultContentType: "application/json",
    servers: { rabbitmq: { host: "rabbitmq:5672", protocol: "amqp", protocolVersion: "0.9.1" } },
    channels: { ...channels, ...signals.channels },
    operations: { ...operations, ...signals.operations },
    components: { messages: { ...messages, ...signals.messages } },
  };
}
