/** Request bodies of the public HTTP API, validated by the gateway before anything else runs. */
import { LIMITS, uuid } from "./common";
import { CHAT_TYPES, OWNER_TYPES, PERMISSIONS, POSTABLE_MESSAGE_TYPES, postedMediaSchema } from "./resources";

export const loginBody = {
  $id: "LoginRequest",
  type: "object",
  additionalProperties: false,
  required: ["username", "password"],
  properties: {
    username: { type: "string", minLength: 1, maxLength: LIMITS.usernameLength },
    password: { type: "string", minLength: 1, maxLength: LIMITS.passwordLength },
  },
} as const;

export const loginResponse = {
  $id: "LoginResponse",
  type: "object",
  additionalProperties: false,
  required: ["username", "token"],
  properties: { username: { type: "string" }, token: { type: "string" } },
} as const;

export const participantRef = {
  type: "object",
  additionalProperties: false,
  required: ["owner_type", "owner_id"],
  properties: { owner_type: { type: "string", enum: OWNER_TYPES }, owner_id: uuid },
} as const;

export const createChatBody = {
  $id: "CreateChatRequest",
  type: "object",
  additionalProperties: false,
  required: ["type"],
  properties: {
    type: { type: "string", enum: CHAT_TYPES },
    name: { type: "string", maxLength: LIMITS.nameLength },
    detail: { type: "string", maxLength: LIMITS.detailLength },
    participants: { type: "array", maxItems: LIMITS.participantsAtCreation, items: participantRef },
  },
} as const;

export const updateChatBody = {
  $id: "UpdateChatRequest",
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: "string", maxLength: LIMITS.nameLength },
    detail: { type: "string", maxLength: LIMITS.detailLength },
  },
} as const;

export const addParticipantBody = { ...participantRef, $id: "AddParticipantRequest" } as const;

export const markReadBody = {
  $id: "MarkReadRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    /** Read up to this message of the chat; the newest when absent. */
    message_id: uuid,
  },
} as const;

export const createAgentBody = {
  $id: "CreateAgentRequest",
  type: "object",
  additionalProperties: false,
  required: ["username", "password"],
  properties: {
    username: { type: "string", minLength: 1, maxLength: LIMITS.usernameLength, pattern: "^\\S+$" },
    password: { type: "string", minLength: 8, maxLength: LIMITS.passwordLength },
    name: { type: "string", maxLength: LIMITS.nameLength },
    detail: { type: "string", maxLength: LIMITS.detailLength },
    permission: { type: "string", enum: PERMISSIONS },
  },
} as const;

export const createMessageBody = {
  $id: "CreateMessageRequest",
  type: "object",
  additionalProperties: false,
  required: ["chat_id", "type"],
  properties: {
    chat_id: uuid,
    type: { type: "string", enum: POSTABLE_MESSAGE_TYPES },
    text: { type: "string", maxLength: LIMITS.textLength },
    /** Omitted or "" for a top-level message. */
    parent_id: { anyOf: [{ const: "" }, uuid] },
    medias: {
      type: "array",
      maxItems: LIMITS.mediasPerMessage,
      items: postedMediaSchema,
      description:
        'VoIPBIN\'s field names are accepted too — {"type":"link","link_url":…} and {"type":"agent","agent_id":…} — and answered in this form.',
    },
  },
} as const;

/** An edit of my message: new text, new medias, or both (what is left out stays). */
export const editMessageBody = {
  $id: "EditMessageRequest",
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    text: { type: "string", maxLength: LIMITS.textLength },
    medias: { type: "array", maxItems: LIMITS.mediasPerMessage, items: postedMediaSchema },
  },
} as const;

/** A search of messages (the query string of GET talk_messages/search). */
export const searchMessagesQuery = {
  q: { type: "string", minLength: 1, maxLength: LIMITS.searchQueryLength },
  chat_id: uuid,
  owner_id: uuid,
  /** "all": the customer's public channels too, besides the chats I participate in. */
  channels: { type: "string", enum: ["mine", "all"] },
  /** "newest" (the default) or "relevance". */
  order: { type: "string", enum: ["newest", "relevance"] },
} as const;

export const reactionBody = {
  $id: "ReactionRequest",
  type: "object",
  additionalProperties: false,
  required: ["emoji"],
  properties: { emoji: { type: "string", minLength: 1, maxLength: LIMITS.emojiLength, pattern: "^\\S+$" } },
} as const;
