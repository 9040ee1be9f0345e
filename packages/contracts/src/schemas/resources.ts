import { LIMITS, timestamp, uuid } from "./common";
import { PRESENCE_LIMITS, PRESENCE_STATUSES } from "../presence";
import { withoutIds } from "./without-ids";

export const CHAT_TYPES = ["direct", "group", "talk"] as const;
export const OWNER_TYPES = ["agent"] as const;
export const PERMISSIONS = ["agent", "admin"] as const;

export const agentSchema = {
  $id: "Agent",
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "customer_id",
    "username",
    "name",
    "detail",
    "permission",
    "tm_create",
    "tm_update",
    "tm_delete",
  ],
  properties: {
    id: uuid,
    customer_id: uuid,
    username: { type: "string" },
    name: { type: "string" },
    detail: { type: "string" },
    permission: { type: "string", enum: PERMISSIONS },
    tm_create: timestamp,
    tm_update: timestamp,
    tm_delete: timestamp,
    /** Live presence (agent-manager's view; see docs/decisions/presence.md), on reads of agents. */
    presence: {
      type: "object",
      additionalProperties: false,
      required: ["status", "text"],
      properties: {
        status: { type: "string", enum: PRESENCE_STATUSES },
        text: { type: "string", maxLength: PRESENCE_LIMITS.textLength },
      },
    },
    tm_presence: { anyOf: [timestamp, { type: "null" }] },
  },
} as const;

export const customerSchema = {
  $id: "Customer",
  type: "object",
  additionalProperties: false,
  required: ["id", "name", "tm_create"],
  properties: { id: uuid, name: { type: "string" }, tm_create: timestamp },
} as const;

export const participantSchema = {
  $id: "Participant",
  type: "object",
  additionalProperties: false,
  required: ["id", "customer_id", "owner_type", "owner_id", "chat_id", "tm_joined"],
  properties: {
    id: uuid,
    customer_id: uuid,
    owner_type: { type: "string", enum: OWNER_TYPES },
    owner_id: uuid,
    chat_id: uuid,
    tm_joined: timestamp,
    /** Read receipts (participant lists only): the message the participant has read up to, and when. */
    last_read_message_id: { anyOf: [uuid, { type: "null" }] },
    tm_read: { anyOf: [timestamp, { type: "null" }] },
  },
} as const;

/** An absolute http(s) URL with a host, and no whitespace. */
export const HTTP_URL_PATTERN = "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#@]+(@[^\\s/?#]+)?([/?#]\\S*)?$";

export const MEDIA_TYPES = ["file", "link", "address", "agent"] as const;

/** A media attachment: its `type` names the one field that carries it. */
const mediaWith = <const L extends object>(link: L) =>
  ({
    type: "object",
    required: ["type"],
    oneOf: [
      {
        type: "object",
        additionalProperties: false,
        required: ["type", "file_id"],
        properties: {
          type: { const: "file" },
          file_id: uuid,
          /** Filled in by message-manager from the file (what a client sends is replaced). */
          name: { type: "string", maxLength: 255 },
          content_type: { type: "string", maxLength: 255 },
          size: { type: "integer", minimum: 0 },
          /** Set once the uploader deleted the file (its bytes are gone; the media stays). */
          deleted: { type: "boolean" },
        },
      },
      {
        type: "object",
        additionalProperties: false,
        required: ["type", "link"],
        properties: {
          type: { const: "link" },
          link,
        },
      },
      {
        type: "object",
        additionalProperties: false,
        required: ["type", "address"],
        properties: {
          type: { const: "address" },
          address: {
            type: "object",
            additionalProperties: false,
            required: ["type", "target"],
            properties: {
              type: { type: "string", minLength: 1, maxLength: 32 },
              target: { type: "string", minLength: 1, maxLength: 255 },
              target_name: { type: "string", maxLength: 255 },
              name: { type: "string", maxLength: 255 },
              detail: { type: "string", maxLength: 1024 },
            },
          },
        },
      },
      {
        type: "object",
        additionalProperties: false,
        required: ["type", "agent"],
        properties: {
          type: { const: "agent" },
          agent: {
            type: "object",
            additionalProperties: false,
            required: ["id"],
            properties: { id: uuid, name: { type: "string", maxLength: 255 } },
          },
        },
      },
    ],
  }) as const;

/** A media as stored and returned (links posted before the http(s) rule are returned as they are). */
export const mediaSchema = {
  $id: "Media",
  ...mediaWith({ type: "string", minLength: 1, maxLength: 2048 }),
} as const;

/** A media as posted: a link must be an absolute http(s) URL (no javascript:, data: or relative links). */
export const postedMediaSchema = {
  /** Errors then name the field of the media's own type, not of the first alternative. */
  discriminator: { propertyName: "type" },
  ...mediaWith({ type: "string", minLength: 1, maxLength: 2048, pattern: HTTP_URL_PATTERN }),
} as const;

export const reactionSchema = {
  $id: "Reaction",
  type: "object",
  additionalProperties: false,
  required: ["emoji", "owner_type", "owner_id", "tm_create"],
  properties: {
    emoji: { type: "string", minLength: 1, maxLength: LIMITS.emojiLength },
    owner_type: { type: "string", enum: OWNER_TYPES },
    owner_id: uuid,
    tm_create: timestamp,
  },
} as const;

export const MESSAGE_TYPES = ["normal", "system"] as const;
/** What an agent may post: "system" messages are only ever written by message-manager. */
export const POSTABLE_MESSAGE_TYPES = ["normal"] as const;

export const messageSchema = {
  $id: "Message",
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "customer_id",
    "owner_type",
    "owner_id",
    "chat_id",
    "type",
    "text",
    "medias",
    "metadata",
    "tm_create",
    "tm_update",
    "tm_delete",
    "tm_edit",
    "pinned_by",
    "tm_pin",
    "mentions",
  ],
  properties: {
    id: uuid,
    customer_id: uuid,
    owner_type: { type: "string", enum: ["agent", "system"] },
    owner_id: { type: "string" },
    chat_id: uuid,
    parent_id: uuid,
    type: { type: "string", enum: MESSAGE_TYPES },
    text: { type: "string" },
    medias: { type: "array", items: mediaSchema },
    metadata: {
      type: "object",
      additionalProperties: false,
      required: ["reactions"],
      properties: { reactions: { type: "array", items: reactionSchema } },
    },
    tm_create: timestamp,
    tm_update: timestamp,
    tm_delete: timestamp,
    /** When the text or medias were last edited; 9999-01-01 00:00:00.000000 when never. */
    tm_edit: timestamp,
    /** The agent who pinned the message; "" when it is not pinned. */
    pinned_by: { type: "string" },
    /** When the message was pinned; 9999-01-01 00:00:00.000000 when it is not. */
    tm_pin: timestamp,
    /**
     * The agents the text mentions: each `<@agent_id>`, and for `<!here>` every other participant
     * (participants only, each once, in the order of the text). Empty for a deleted message.
     */
    mentions: { type: "array", items: uuid, uniqueItems: true },
  },
} as const;

/** An earlier version of an edited message: its text and medias from `tm_create` until `tm_replace`. */
export const messageVersionSchema = {
  $id: "MessageVersion",
  type: "object",
  additionalProperties: false,
  required: ["message_id", "text", "medias", "tm_create", "tm_replace"],
  properties: {
    message_id: uuid,
    text: { type: "string" },
    medias: { type: "array", items: mediaSchema },
    /** When this version was written (the message's tm_create, or the edit that made it). */
    tm_create: timestamp,
    /** When the edit that replaced it was made. */
    tm_replace: timestamp,
  },
} as const;

/** A message found by a search, with the matching part of its text highlighted. */
export const searchHitSchema = {
  $id: "SearchHit",
  type: "object",
  additionalProperties: false,
  required: ["message", "snippet"],
  properties: {
    message: messageSchema,
    /** A part of the text around the matches, each match between <mark> and </mark> (the rest HTML-escaped). */
    snippet: { type: "string" },
  },
} as const;

/** The Message schema without its $ids, to nest in Chat (an $id may be defined once where both are used). */
const messageShape = withoutIds(messageSchema);

export const chatSchema = {
  $id: "Chat",
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "customer_id",
    "type",
    "name",
    "detail",
    "member_count",
    "tm_create",
    "tm_update",
    "tm_delete",
  ],
  properties: {
    id: uuid,
    customer_id: uuid,
    type: { type: "string", enum: CHAT_TYPES },
    name: { type: "string", maxLength: LIMITS.nameLength },
    detail: { type: "string", maxLength: LIMITS.detailLength },
    member_count: { type: "integer", minimum: 0 },
    tm_create: timestamp,
    tm_update: timestamp,
    tm_delete: timestamp,
    // For the caller, on the chats the API answers (docs/decisions/read-state.md); not in events.
    /** Messages by others after the caller's read mark (system messages and tombstones included). */
    unread_count: { type: "integer", minimum: 0 },
    /** Messages after the caller's read mark that mention the caller (deleted ones no longer do). */
    mention_count: { type: "integer", minimum: 0 },
    /** The message the caller has read up to; null when nothing is read. */
    last_read_message_id: { anyOf: [uuid, { type: "null" }] },
    /** The newest top-level message (a tombstone if deleted); null when there is none or the caller is not a participant. */
    last_message: { anyOf: [messageShape, { type: "null" }] },
  },
} as const;

/** A participant's read mark: the answer of marking a chat read, and the payload of its two events. */
export const chatReadSchema = {
  $id: "ChatRead",
  type: "object",
  additionalProperties: false,
  required: [
    "customer_id",
    "chat_id",
    "owner_type",
    "owner_id",
    "last_read_message_id",
    "tm_read",
    "unread_count",
    "mention_count",
  ],
  properties: {
    customer_id: uuid,
    chat_id: uuid,
    owner_type: { type: "string", enum: OWNER_TYPES },
    owner_id: uuid,
    last_read_message_id: { anyOf: [uuid, { type: "null" }] },
    tm_read: { anyOf: [timestamp, { type: "null" }] },
    /** The reader's unread count after the mark. */
    unread_count: { type: "integer", minimum: 0 },
    /** The messages after the mark that mention the reader. */
    mention_count: { type: "integer", minimum: 0 },
  },
} as const;

/** What message-manager knows of a chat for one caller (merged into chats by the gateway). */
export const chatSummarySchema = {
  $id: "ChatSummary",
  type: "object",
  additionalProperties: false,
  required: ["chat_id", "unread_count", "mention_count", "last_read_message_id", "last_message"],
  properties: {
    chat_id: uuid,
    unread_count: chatSchema.properties.unread_count,
    mention_count: chatSchema.properties.mention_count,
    last_read_message_id: chatSchema.properties.last_read_message_id,
    last_message: chatSchema.properties.last_message,
  },
} as const;

/** One participant's read receipt (merged into participant lists by the gateway). */
export const readReceiptSchema = {
  $id: "ReadReceipt",
  type: "object",
  additionalProperties: false,
  required: ["owner_id", "last_read_message_id", "tm_read"],
  properties: {
    owner_id: uuid,
    last_read_message_id: participantSchema.properties.last_read_message_id,
    tm_read: participantSchema.properties.tm_read,
  },
} as const;

/**
 * What a message may attach: `ready` files only; `deleted` ones had their bytes removed, `uploading`
 * ones are not finished, and `missing` ones do not exist for the caller's customer.
 */
export const FILE_STATES = ["ready", "deleted", "uploading", "missing"] as const;
export type FileState = (typeof FILE_STATES)[number];

/** An uploaded file's metadata (file-manager); its bytes are at /v1.0/files/{id}/content. */
export const fileSchema = {
  $id: "File",
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "customer_id",
    "owner_id",
    "name",
    "content_type",
    "size",
    "sha256",
    "tm_create",
    "tm_delete",
  ],
  properties: {
    id: uuid,
    customer_id: uuid,
    owner_id: uuid,
    name: { type: "string", maxLength: 255 },
    content_type: { type: "string", maxLength: 255 },
    size: { type: "integer", minimum: 0 },
    /** Hex SHA-256 of the bytes, computed while they were received; also the download's ETag. */
    sha256: { type: "string", pattern: "^[0-9a-f]{64}$" },
    tm_create: timestamp,
    tm_delete: timestamp,
  },
} as const;
