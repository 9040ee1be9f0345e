/**
 * The WebSocket contract of the push service (SPEC §4): the stream it reads, the frames a client
 * sends (`subscribe`, `unsubscribe`) and the frames it receives (acknowledgements, errors, events,
 * `resync_required`), as JSON Schema with matching types.
 */
import { type EventPayload, type EventType, EVENT_TYPES } from "./events";
import type {
  ActivityFrame,
  ClientFrame,
  ErrorFrame,
  PingFrame,
  PongFrame,
  PresenceFrame,
  ResyncRequiredFrame,
  SubscribedFrame,
  TypingClientFrame,
  TypingFrame,
  UnsubscribedFrame,
} from "./generated/types";
import { presenceSchema } from "./presence";
import { uuid } from "./schemas/common";
import { chatReadSchema, chatSchema, messageSchema, participantSchema } from "./schemas/resources";

/**
 * The durable log of public events the push replicas read (a RabbitMQ stream). message-manager's
 * outbox relay appends the events it publishes to `talk.events`, a relay pass as one entry; the
 * stream is not bound to the exchange (a binding left by an earlier version is removed).
 */
export const PUSH_EVENT_STREAM = {
  name: "talk.push.events",
  bindings: [],
  unbind: ["#"],
  exchange: "events",
} as const;

/** The WebSocket path, on the public origin and on every push replica. */
export const PUSH_PATH = "/v1.0/ws";

export const PUSH_LIMITS = {
  /** Topics in one subscribe or unsubscribe frame. */
  topicsPerFrame: 100,
  topicLength: 200,
  /** Length of the optional correlation `id` a client may put in a frame (echoed in the answer). */
  idLength: 64,
} as const;

/** WebSocket close codes the push service uses. */
export const PUSH_CLOSE_CODES = {
  /** Frames came faster than allowed, or a frame was over the size limit (RFC 6455 1008/1009). */
  policyViolation: 1008,
  tooBig: 1009,
  /** The service is restarting: reconnect (to any replica) with your last cursor. */
  serviceRestart: 1012,
  /** The client read too slowly and its send buffer passed the bound: reconnect with your last cursor. */
  slowConsumer: 1013,
  /** The access token expired: log in again, then reconnect with the new token and your last cursor. */
  tokenExpired: 4001,
} as const;

const frameId = {
  anyOf: [{ type: "string", maxLength: PUSH_LIMITS.idLength }, { type: "integer" }],
} as const;

const topics = {
  type: "array",
  minItems: 1,
  maxItems: PUSH_LIMITS.topicsPerFrame,
  items: { type: "string", maxLength: PUSH_LIMITS.topicLength },
} as const;

/** What a client may send: `{"type":"subscribe"|"unsubscribe","topics":[...],"id"?}`. */
export const clientFrameSchema = {
  $id: "PushClientFrame",
  type: "object",
  additionalProperties: false,
  required: ["type", "topics"],
  properties: { type: { type: "string", enum: ["subscribe", "unsubscribe"] }, topics, id: frameId },
} as const;

/**
 * A liveness check from the client, `{"type":"ping","id"?}`: answered with `pong` (same `id`) in
 * order with everything else the connection sends, so a client that gets no pong within its
 * deadline knows the connection (or the service behind it) is not delivering, and reconnects.
 */
export const pingFrameSchema = {
  $id: "PushPingFrame",
  type: "object",
  additionalProperties: false,
  required: ["type"],
  properties: { type: { const: "ping" }, id: frameId },
} as const;

/** `{"type":"typing","chat_id","parent_id"?}`: my agent types in a chat (or in a thread of it). */
export const typingClientFrameSchema = {
  $id: "PushTypingFrame",
  type: "object",
  additionalProperties: false,
  required: ["type", "chat_id"],
  properties: {
    type: { const: "typing" },
    chat_id: uuid,
    parent_id: { anyOf: [uuid, { type: "null" }], description: "The thread's root message, if in a thread" },
    id: frameId,
  },
} as const;

/** `{"type":"activity"}`: my user did something (keeps my agent from turning `away`). */
export const activityFrameSchema = {
  $id: "PushActivityFrame",
  type: "object",
  additionalProperties: false,
  required: ["type"],
  properties: { type: { const: "activity" }, id: frameId },
} as const;

/** The schema of each kind of client frame, by its `type`. */
export const clientFrameSchemas = {
  subscribe: clientFrameSchema,
  unsubscribe: clientFrameSchema,
  ping: pingFrameSchema,
  typing: typingClientFrameSchema,
  activity: activityFrameSchema,
} as const;
export type ClientFrameType = keyof typeof clientFrameSchemas;
export const CLIENT_FRAME_TYPES = Object.keys(clientFrameSchemas) as ClientFrameType[];

/** Every frame a client may send. */
export type AnyClientFrame = ClientFrame | PingFrame | TypingClientFrame | ActivityFrame;

/** An agent's presence changed (to subscribers of `customer_id:<customer>:presence`). */
export const presenceFrameSchema = {
  type: "object",
  additionalProperties: false,
  required: ["type", "data", "topic"],
  properties: { type: { const: "agent_presence" }, data: presenceSchema, topic: { type: "string" } },
} as const;

/**
 * Another participant types in a chat (`parent_id`: in that thread). Show it for
 * `TYPING_DISPLAY_MS` unless renewed; clear it at once when a `chatmessage_created` of that agent
 * in that chat arrives. Never stored, never resumed from a cursor.
 */
export const typingFrameSchema = {
  type: "object",
  additionalProperties: false,
  required: ["type", "data", "topic"],
  properties: {
    type: { const: "typing" },
    data: {
      type: "object",
      additionalProperties: false,
      required: ["chat_id", "parent_id", "agent_id"],
      properties: { chat_id: uuid, parent_id: { anyOf: [uuid, { type: "null" }] }, agent_id: uuid },
    },
    topic: { type: "string", description: "The topic the chat's events reach the connection through." },
  },
} as const;

const errorBody = {
  type: "object",
  additionalProperties: false,
  required: ["status", "reason", "message"],
  properties: { status: { type: "string" }, reason: { type: "string" }, message: { type: "string" } },
} as const;

const cursor = { type: "string", minLength: 1 } as const;

/** Every frame the server sends, one schema per `type`. */
export const serverFrameSchema = {
  $id: "PushServerFrame",
  oneOf: [
    {
      type: "object",
      additionalProperties: false,
      required: ["type", "topics", "cursor"],
      properties: {
        type: { const: "subscribed" },
        topics,
        cursor: {
          ...cursor,
          description: "Where this connection stands: resuming with it misses nothing from here on.",
        },
        id: frameId,
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["type", "topics"],
      properties: { type: { const: "unsubscribed" }, topics, id: frameId },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["type", "error"],
      properties: {
        type: { const: "error" },
        error: errorBody,
        topic: { type: "string", description: "The topic the error is about, when it is about one." },
        chat_id: { ...uuid, description: "The chat a refused typing frame named." },
        id: frameId,
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["type", "reason", "message", "cursor"],
      properties: {
        type: { const: "resync_required" },
        reason: { type: "string" },
        message: { type: "string" },
        cursor: {
          ...cursor,
          description: "Live events follow from here; what came before must be read again from the REST API.",
        },
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["type", "data", "topic", "seq", "cursor"],
      properties: {
        type: { type: "string", enum: EVENT_TYPES },
        // each payload schema once (they carry $ids): chats, participants, messages, read marks
        data: { anyOf: [chatSchema, participantSchema, messageSchema, chatReadSchema] },
        topic: { type: "string" },
        seq: { type: "integer", minimum: 1 },
        cursor,
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["type"],
      properties: { type: { const: "pong" }, id: frameId },
    },
    presenceFrameSchema,
    typingFrameSchema,
  ],
} as const;

export type {
  ActivityFrame,
  ClientFrame,
  ErrorFrame,
  PingFrame,
  PongFrame,
  PresenceFrame,
  ResyncRequiredFrame,
  SubscribedFrame,
  TypingClientFrame,
  TypingFrame,
  UnsubscribedFrame,
};

export type EventFrame<T extends EventType = EventType> = {
  [K in T]: { type: K; data: EventPayload<K>; topic: string; seq: number; cursor: string };
}[T];

export type ServerFrame =
  | SubscribedFrame
  | UnsubscribedFrame
  | ErrorFrame
  | ResyncRequiredFrame
  | EventFrame
  | PongFrame
  | PresenceFrame
  | TypingFrame;
