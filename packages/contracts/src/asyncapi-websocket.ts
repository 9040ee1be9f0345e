/**
 * The AsyncAPI 3.1 document of the WebSocket (`/v1.0/ws`, served by services/push), generated from
 * the frame schemas in push.ts. A document of its own beside the events' (asyncapi.ts): another
 * audience (browser and SDK clients, not services bound to the broker), another server, protocol
 * and security, and generators build one client per document. It describes the push service: it
 * receives `subscribe`/`unsubscribe`/`ping` frames and sends acknowledgements, errors, events and pongs.
 */
import { ERROR_HTTP_STATUS } from "./errors";
import { EVENT_TYPES, type EventType } from "./events";
import {
  PUSH_CLOSE_CODES,
  PUSH_LIMITS,
  PUSH_PATH,
  clientFrameSchema,
  clientFrameSchemas,
  pingFrameSchema,
  presenceFrameSchema,
  serverFrameSchema,
  typingFrameSchema,
} from "./push";
import { chatReadSchema, chatSchema, messageSchema, participantSchema } from "./schemas/resources";
import { withoutIds } from "./schemas/without-ids";

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const messageRef = (name: string) => ({ $ref: `#/channels/ws/messages/${name}` });

const [subscribedFrame, unsubscribedFrame, errorFrame, resyncFrame, eventFrame, pongFrame] =
  serverFrameSchema.oneOf;

const payloadOf: Record<EventType, string> = {
  chat_created: "Chat",
  chat_updated: "Chat",
  chat_deleted: "Chat",
  chatparticipant_added: "Participant",
  chatparticipant_removed: "Participant",
  chatmessage_created: "Message",
  chatmessage_deleted: "Message",
  chatmessage_reaction_updated: "Message",
  chatmessage_updated: "Message",
  chatmessage_pinned: "Message",
  chatmessage_unpinned: "Message",
  chat_read: "ChatRead",
  chatparticipant_read: "ChatRead",
};

const closeCodes: Record<keyof typeof PUSH_CLOSE_CODES, string> = {
  policyViolation: "Frames came faster than WS_MAX_FRAMES_PER_10S allows: slow down.",
  tooBig: "A frame was over WS_MAX_FRAME_BYTES: send smaller frames.",
  serviceRestart: "The replica is shutting down: reconnect, to any replica, with your last cursor.",
  slowConsumer:
    "You read too slowly (send buffer over WS_SEND_BUFFER_BYTES): reconnect with your last cursor.",
  tokenExpired: "The access token expired: log in again, reconnect with the new token and your last cursor.",
};

const TOPICS = [
  "`agent_id:<my agent id>:chat` — every chat I am a participant of;",
  "`agent_id:<my agent id>:chat:<chat id>` — one chat I am in (any chat of my customer for a `talk` channel);",
  "`customer_id:<my customer id>:chat` — every chat of my customer (admins only);",
  "`customer_id:<my customer id>:chat:<chat id>` — one chat of my customer (admins only);",
  "`customer_id:<my customer id>:presence` — agent_presence frames of my customer's agents (any agent).",
].join(" ");

function frameMessage(name: string, summary: string, payload: object) {
  return { name, title: name, summary, contentType: "application/json", payload };
}

export function webSocketAsyncApiDocument() {
  const eventMessages: Record<string, object> = {};
  for (const type of EVENT_TYPES)
    eventMessages[type] = frameMessage(type, `The event ${type} of a chat a subscribed topic covers.`, {
      ...withoutIds(eventFrame),
      properties: {
        ...withoutIds(eventFrame.properties),
        type: { const: type },
        data: schemaRef(payloadOf[type]),
      },
    });
  const messages = {
    subscribe: frameMessage(
      "subscribe",
      `Subscribe to up to ${PUSH_LIMITS.topicsPerFrame} topics: all of them, or none if one is refused.`,
      {
        ...withoutIds(clientFrameSchema),
        properties: { ...withoutIds(clientFrameSchema).properties, type: { const: "subscribe" } },
      },
    ),
    unsubscribe: frameMessage(
      "unsubscribe",
      "Unsubscribe from topics (one you are not subscribed to is fine).",
      {
        ...withoutIds(clientFrameSchema),
        properties: {
          ...withoutIds(clientFrameSchema).properties,
          type: { const: "unsubscribe" },
        },
      },
    ),
    subscribed: frameMessage(
      "subscribed",
      "A subscribe was accepted; cursor is where the connection stands.",
      withoutIds(subscribedFrame),
    ),
    unsubscribed: frameMessage("unsubscribed", "An unsubscribe was applied.", withoutIds(unsubscribedFrame)),
    ping: frameMessage(
      "ping",
      "A liveness check: answered with pong (same id) after everything sent before it. No pong within your deadline: reconnect with your last cursor.",
      withoutIds(pingFrameSchema),
    ),
    pong: frameMessage("pong", "The answer to a ping, with its id.", withoutIds(pongFrame)),
    error: frameMessage(
      "error",
      "A refused topic or a bad frame; the connection stays open.",
      withoutIds({
        ...errorFrame,
        properties: {
          ...errorFrame.properties,
          error: {
            ...errorFrame.properties.error,
            properties: {
              ...errorFrame.properties.error.properties,
              status: { type: "string", enum: Object.keys(ERROR_HTTP_STATUS) },
            },
          },
        },
      }),
    ),
    resync_required: frameMessage(
      "resync_required",
      "The missed events cannot be replayed (CURSOR_EXPIRED, CURSOR_UNKNOWN): reload from the REST API; live events follow from cursor.",
      withoutIds(resyncFrame),
    ),
    ...eventMessages,
    typing: frameMessage(
      "typing",
      "My agent types in chat_id (parent_id: in that thread); at most one per chat per 2 s is relayed. A non-participant gets an error (NOT_A_PARTICIPANT) with chat_id.",
      withoutIds(clientFrameSchemas.typing),
    ),
    activity: frameMessage(
      "activity",
      "My user did something: keeps my agent from turning away (send at most every 15 s or so).",
      withoutIds(clientFrameSchemas.activity),
    ),
    agent_presence: frameMessage(
      "agent_presence",
      "An agent of my customer changed presence (subscribers of customer_id:<customer>:presence); once per change.",
      withoutIds(presenceFrameSchema),
    ),
    typing_indicator: frameMessage(
      "typing",
      "Another participant types in one of my chats: show it 5 s unless renewed; clear it when a chatmessage_created of that agent in that chat arrives.",
      withoutIds(typingFrameSchema),
    ),
  };
  const serverFrames = ["resync_required", ...EVENT_TYPES, "agent_presence", "typing_indicator"];
  return {
    asyncapi: "3.1.0",
    info: {
      title: "Talk real-time (WebSocket)",
      version: "1.0.0",
      description: [
        `The WebSocket at ${PUSH_PATH}, served by the push service: a client subscribes to topics and gets every event`,
        "of the chats they cover, once per connection, in per-chat `seq` order. Every event frame carries a `cursor`;",
        "reconnect to any replica with `?cursor=<last cursor>` and subscribe again to get what was missed, then live events.",
        "Frames are JSON text. See docs/websocket.md.",
      ].join(" "),
    },
    defaultContentType: "application/json",
    servers: {
      public: {
        host: "localhost:8080",
        protocol: "ws",
        pathname: PUSH_PATH,
        description: "The public origin (embedded mode: the API's port); use wss behind TLS.",
        security: [
          { $ref: "#/components/securitySchemes/token" },
          { $ref: "#/components/securitySchemes/bearer" },
        ],
      },
    },
    channels: {
      ws: {
        address: "/",
        title: "The connection",
        description: [
          "One connection carries every subscription. Topics:",
          TOPICS,
          "The token is checked during the upgrade: 401 with the API's error body when missing, invalid or expired;",
          "400 CURSOR_MALFORMED, 503 PUSH_NOT_READY, 503 TOO_MANY_CONNECTIONS. Close codes are listed in x-close-codes;",
          "1006 (no closing handshake, e.g. two unanswered pings) means: reconnect with your last cursor.",
        ].join(" "),
        messages,
        bindings: {
          ws: {
            method: "GET",
            query: {
              type: "object",
              properties: {
                token: { type: "string", description: "The API's access token (or Authorization: Bearer)" },
                cursor: {
                  type: "string",
                  minLength: 1,
                  description: "The last cursor you received: resume from there",
                },
              },
            },
            bindingVersion: "0.1.0",
          },
        },
        "x-close-codes": Object.fromEntries(
          Object.entries(PUSH_CLOSE_CODES).map(([name, code]) => [
            String(code),
            { name, description: closeCodes[name as keyof typeof PUSH_CLOSE_CODES] },
          ]),
        ),
      },
    },
    operations: {
      subscribe: {
        action: "receive",
        channel: { $ref: "#/channels/ws" },
        summary: "A client subscribes to topics",
        messages: [messageRef("subscribe")],
        reply: {
          channel: { $ref: "#/channels/ws" },
          messages: [messageRef("subscribed"), messageRef("error")],
        },
      },
      ping: {
        action: "receive",
        channel: { $ref: "#/channels/ws" },
        summary: "A client checks that the connection still delivers",
        messages: [messageRef("ping")],
        reply: { channel: { $ref: "#/channels/ws" }, messages: [messageRef("pong")] },
      },
      unsubscribe: {
        action: "receive",
        channel: { $ref: "#/channels/ws" },
        summary: "A client unsubscribes from topics",
        messages: [messageRef("unsubscribe")],
        reply: {
          channel: { $ref: "#/channels/ws" },
          messages: [messageRef("unsubscribed"), messageRef("error")],
        },
      },
      typing: {
        action: "receive",
        channel: { $ref: "#/channels/ws" },
        summary: "A client says its agent types in a chat (relayed to the other participants)",
        messages: [messageRef("typing")],
      },
      activity: {
        action: "receive",
        channel: { $ref: "#/channels/ws" },
        summary: "A client reports activity of its user (presence)",
        messages: [messageRef("activity")],
      },
      sendFrames: {
        action: "send",
        channel: { $ref: "#/channels/ws" },
        summary:
          "The service sends the events of the subscribed topics, and resync_required when it cannot replay",
        messages: serverFrames.map(messageRef),
      },
    },
    components: {
      schemas: {
        Chat: withoutIds(chatSchema),
        Participant: withoutIds(participantSchema),
        Message: withoutIds(messageSchema),
        ChatRead: withoutIds(chatReadSchema),
      },
      securitySchemes: {
        token: { type: "httpApiKey", in: "query", name: "token", description: "The API's access token" },
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
      },
    },
  };
}
