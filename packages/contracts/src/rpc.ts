/**
 * RPC operations: every request/reply exchanged between services, with the queue that serves it
 * and the JSON Schemas of its request and response. The bus is typed by this table, so calling an
 * operation with a wrong name or payload does not compile.
 */
import { actor, pageOf, pageRequest, traceContextFields, uuid } from "./schemas/common";
import {
  addParticipantBody,
  createAgentBody,
  createChatBody,
  createMessageBody,
  editMessageBody,
  loginBody,
  searchMessagesQuery,
  markReadBody,
  reactionBody,
  updateChatBody,
} from "./schemas/api";
import {
  agentSchema,
  chatReadSchema,
  chatSchema,
  chatSummarySchema,
  customerSchema,
  FILE_STATES,
  fileSchema,
  messageSchema,
  messageVersionSchema,
  participantSchema,
  searchHitSchema,
  readReceiptSchema,
} from "./schemas/resources";
import type { RpcTypes } from "./generated/types";

export type { RpcTypes };
import { PRESENCE_LIMITS, presenceSchema, setPresenceBody } from "./presence";

export const RPC_QUEUES = {
  agentManager: "talk.rpc.agent-manager",
  chatManager: "talk.rpc.chat-manager",
  messageManager: "talk.rpc.message-manager",
  fileManager: "talk.rpc.file-manager",
} as const;

const obj = <const P extends Record<string, object>, const R extends readonly (keyof P & string)[]>(
  properties: P,
  required: R,
) => ({ type: "object", additionalProperties: false, properties, required }) as const;

const withActor = <const P extends Record<string, object>, const R extends readonly (keyof P & string)[]>(
  properties: P,
  required: R,
) => obj({ actor, ...properties }, ["actor", ...required]);

/**
 * Writes carry the caller's Idempotency-Key (scoped to the agent by the service) and a fingerprint of
 * the HTTP request, so a retry takes effect once: see @talk/db's idempotency.
 */
export const idempotencySchema = {
  type: "object",
  additionalProperties: false,
  required: ["key", "fingerprint"],
  properties: {
    key: { type: "string", minLength: 1, maxLength: 255 },
    fingerprint: { type: "string", minLength: 1, maxLength: 128 },
  },
} as const;

const write = <const P extends Record<string, object>, const R extends readonly (keyof P & string)[]>(
  properties: P,
  required: R,
) => withActor({ ...properties, idempotency: idempotencySchema }, required);

const chatRef = withActor({ chat_id: uuid }, ["chat_id"]);
const chatWrite = write({ chat_id: uuid }, ["chat_id"]);
const pageWithActor = withActor({ ...pageRequest }, []);
const participantList = { type: "array", items: participantSchema } as const;
const messageRef = withActor({ message_id: uuid }, ["message_id"]);
const messageWrite = write({ message_id: uuid }, ["message_id"]);
/** chat-manager's writes answer the chat's revision after them (see chat-changes.ts). */
const revision = { type: "integer", minimum: 0 } as const;
const revisedChat = obj({ chat: chatSchema, revision }, ["chat", "revision"]);
const revisedParticipant = obj({ participant: participantSchema, revision }, ["participant", "revision"]);

/** An error as an RPC reply carries it (ErrorBody): in a reply of its own, or one of many. */
const rpcErrorSchema = obj(
  {
    status: { type: "string" },
    reason: { type: "string" },
    message: { type: "string" },
    rate_limit: obj(
      {
        limit: { type: "number" },
        remaining: { type: "number" },
        reset_seconds: { type: "number" },
      },
      ["limit", "remaining", "reset_seconds"],
    ),
  },
  ["status", "reason", "message"],
);

/** At most this many sends go in one `message.createMany`. */
export const MAX_SENDS_PER_CALL = 64;

const searchPageToken = { type: "string", maxLength: 128 } as const;

export const rpcOperations = {
  // agent-manager
  "agent.verifyLogin": { queue: RPC_QUEUES.agentManager, request: loginBody, response: agentSchema },
  "agent.get": {
    queue: RPC_QUEUES.agentManager,
    request: obj({ customer_id: uuid, agent_id: uuid }, ["customer_id", "agent_id"]),
    response: agentSchema,
  },
  "agent.list": {
    queue: RPC_QUEUES.agentManager,
    request: obj({ customer_id: uuid, ...pageRequest }, ["customer_id"]),
    response: pageOf(agentSchema),
  },
  "agent.findMany": {
    queue: RPC_QUEUES.agentManager,
    request: obj({ customer_id: uuid, agent_ids: { type: "array", items: uuid, maxItems: 1000 } }, [
      "customer_id",
      "agent_ids",
    ]),
    response: obj({ agents: { type: "array", items: agentSchema } }, ["agents"]),
  },
  "agent.create": {
    queue: RPC_QUEUES.agentManager,
    // `actor`: the admin creating the agent (through the API), whose Idempotency-Key it is
    request: {
      ...obj({ customer_id: uuid, agent: createAgentBody, idempotency: idempotencySchema, actor }, [
        "customer_id",
        "agent",
      ]),
      dependencies: { idempotency: ["actor"] },
    },
    response: agentSchema,
  },
  "customer.create": {
    queue: RPC_QUEUES.agentManager,
    request: obj({ name: { type: "string", minLength: 1, maxLength: 255 } }, ["name"]),
    response: customerSchema,
  },
  /** Presence of agents of one customer (agent-manager owns presence: docs/decisions/presence.md). */
  "presence.get": {
    queue: RPC_QUEUES.agentManager,
    request: obj(
      {
        customer_id: uuid,
        agent_ids: { type: "array", items: uuid, minItems: 1, maxItems: PRESENCE_LIMITS.idsPerRequest },
      },
      ["customer_id", "agent_ids"],
    ),
    response: obj({ result: { type: "array", items: presenceSchema } }, ["result"]),
  },
  /** The caller sets an explicit status (`online` returns to automatic presence). */
  "presence.set": {
    queue: RPC_QUEUES.agentManager,
    request: withActor({ presence: setPresenceBody }, ["presence"]),
    response: presenceSchema,
  },
  // chat-manager
  "chat.create": {
    queue: RPC_QUEUES.chatManager,
    request: write({ chat: createChatBody }, ["chat"]),
    response: revisedChat,
  },
  "chat.list": { queue: RPC_QUEUES.chatManager, request: pageWithActor, response: pageOf(chatSchema) },
  "chat.get": { queue: RPC_QUEUES.chatManager, request: chatRef, response: chatSchema },
  "chat.update": {
    queue: RPC_QUEUES.chatManager,
    request: write({ chat_id: uuid, changes: updateChatBody }, ["chat_id", "changes"]),
    response: revisedChat,
  },
  "chat.delete": { queue: RPC_QUEUES.chatManager, request: chatWrite, response: revisedChat },
  "chat.join": { queue: RPC_QUEUES.chatManager, request: chatWrite, response: revisedParticipant },
  "channel.list": { queue: RPC_QUEUES.chatManager, request: pageWithActor, response: pageOf(chatSchema) },
  "participant.list": { queue: RPC_QUEUES.chatManager, request: chatRef, response: participantList },
  "participant.add": {
    queue: RPC_QUEUES.chatManager,
    request: write({ chat_id: uuid, participant: addParticipantBody }, ["chat_id", "participant"]),
    response: revisedParticipant,
  },
  "participant.remove": {
    queue: RPC_QUEUES.chatManager,
    request: write({ chat_id: uuid, participant_id: uuid }, ["chat_id", "participant_id"]),
    response: revisedParticipant,
  },
  /** Authoritative membership check, for services that keep a replica and must confirm a miss. */
  "chat.membership": {
    queue: RPC_QUEUES.chatManager,
    request: obj({ customer_id: uuid, chat_id: uuid, agent_id: uuid }, [
      "customer_id",
      "chat_id",
      "agent_id",
    ]),
    response: obj(
      {
        chat: { anyOf: [chatSchema, { type: "null" }] },
        participant: { anyOf: [participantSchema, { type: "null" }] },
        /** The chat's revision in chat-manager (0 when the chat does not exist). */
        revision,
      },
      ["chat", "participant", "revision"],
    ),
  },
  /**
   * The types of chats, by id (those chat-manager knows): for replicas that lack them — chats
   * created before message-manager kept the type (see message-manager's channel-types.ts).
   */
  "chat.types": {
    queue: RPC_QUEUES.chatManager,
    request: obj({ chat_ids: { type: "array", items: uuid, minItems: 1, maxItems: 1000 } }, ["chat_ids"]),
    response: obj(
      {
        chats: {
          type: "array",
          items: obj({ id: uuid, type: chatSchema.properties.type }, ["id", "type"]),
        },
      },
      ["chats"],
    ),
  },
  // message-manager
  "message.create": {
    queue: RPC_QUEUES.messageManager,
    request: write({ message: createMessageBody }, ["message"]),
    response: messageSchema,
  },
  /**
   * Several sends in one request (the gateway gathers the sends that arrive together): each is
   * decided, charged, claimed by its key and answered on its own, exactly as by `message.create`;
   * `replies` has one reply per send, in their order. `request_id` and the trace are each send's own.
   */
  "message.createMany": {
    queue: RPC_QUEUES.messageManager,
    request: obj(
      {
        sends: {
          type: "array",
          minItems: 1,
          maxItems: MAX_SENDS_PER_CALL,
          items: write(
            {
              message: createMessageBody,
              request_id: { type: "string", maxLength: 128 },
              ...traceContextFields,
            },
            ["message"],
          ),
        },
      },
      ["sends"],
    ),
    response: obj(
      {
        replies: {
          type: "array",
          items: {
            oneOf: [
              obj({ ok: { const: true }, result: messageSchema }, ["ok", "result"]),
              obj({ ok: { const: false }, error: rpcErrorSchema }, ["ok", "error"]),
            ],
          },
        },
      },
      ["replies"],
    ),
  },
  "message.list": {
    queue: RPC_QUEUES.messageManager,
    request: withActor({ chat_id: uuid, parent_id: uuid, ...pageRequest }, ["chat_id"]),
    response: pageOf(messageSchema),
  },
  /**
   * Messages across the caller's chats, newest first: all of them (the chat-less list), or those
   * that mention the caller (`mentions`), in every chat or one. The token names the page's last
   * message (a time and an id: times are unique within a chat only).
   */
  "message.feed": {
    queue: RPC_QUEUES.messageManager,
    request: withActor(
      {
        mentions: { type: "boolean" },
        chat_id: uuid,
        page_size: pageRequest.page_size,
        page_token: searchPageToken,
      },
      ["mentions"],
    ),
    response: pageOf(messageSchema),
  },
  "message.get": { queue: RPC_QUEUES.messageManager, request: messageRef, response: messageSchema },
  "message.delete": { queue: RPC_QUEUES.messageManager, request: messageWrite, response: messageSchema },
  "reaction.add": {
    queue: RPC_QUEUES.messageManager,
    request: write({ message_id: uuid, reaction: reactionBody }, ["message_id", "reaction"]),
    response: messageSchema,
  },
  /**
   * Waits (briefly) until message-manager has applied the chat's changes up to `revision` (answered
   * by chat-manager's writes); answers the revision it has applied. UNAVAILABLE when it has not in time.
   */
  "message.awaitChatRevision": {
    queue: RPC_QUEUES.messageManager,
    request: obj({ chat_id: uuid, revision }, ["chat_id", "revision"]),
    response: obj({ revision }, ["revision"]),
  },
  "message.edit": {
    queue: RPC_QUEUES.messageManager,
    request: write({ message_id: uuid, edit: editMessageBody }, ["message_id", "edit"]),
    response: messageSchema,
  },
  "message.history": {
    queue: RPC_QUEUES.messageManager,
    request: withActor({ message_id: uuid, ...pageRequest }, ["message_id"]),
    response: pageOf(messageVersionSchema),
  },
  "message.pin": { queue: RPC_QUEUES.messageManager, request: messageWrite, response: messageSchema },
  "message.unpin": { queue: RPC_QUEUES.messageManager, request: messageWrite, response: messageSchema },
  "message.pins": {
    queue: RPC_QUEUES.messageManager,
    request: withActor({ chat_id: uuid, ...pageRequest }, ["chat_id"]),
    response: pageOf(messageSchema),
  },
  "message.search": {
    queue: RPC_QUEUES.messageManager,
    // The token of a search page names its last hit (opaque: a time and an id, or a rank and an id).
    request: withActor(
      { ...searchMessagesQuery, page_size: pageRequest.page_size, page_token: searchPageToken },
      ["q"],
    ),
    response: pageOf(searchHitSchema),
  },
  /** Marks a chat read for the caller (never backwards); emits chat_read and chatparticipant_read. */
  "read.mark": {
    queue: RPC_QUEUES.messageManager,
    request: write({ chat_id: uuid, read: markReadBody }, ["chat_id", "read"]),
    response: chatReadSchema,
  },
  /** The caller's unread count, read mark and last message of each chat (one call per chat list). */
  "read.summaries": {
    queue: RPC_QUEUES.messageManager,
    request: withActor({ chat_ids: { type: "array", items: uuid, maxItems: 1000 } }, ["chat_ids"]),
    response: obj({ summaries: { type: "array", items: chatSummarySchema } }, ["summaries"]),
  },
  /** Every participant's read mark of a chat (the caller's access is checked by chat-manager first). */
  "read.receipts": {
    queue: RPC_QUEUES.messageManager,
    request: chatRef,
    response: obj({ receipts: { type: "array", items: readReceiptSchema } }, ["receipts"]),
  },
  "reaction.remove": {
    queue: RPC_QUEUES.messageManager,
    request: write({ message_id: uuid, reaction: reactionBody }, ["message_id", "reaction"]),
    response: messageSchema,
  },
  /** Whether a live message referencing the file is in a chat the agent is a member of. */
  "message.fileAccess": {
    queue: RPC_QUEUES.messageManager,
    request: obj({ customer_id: uuid, agent_id: uuid, file_id: uuid }, [
      "customer_id",
      "agent_id",
      "file_id",
    ]),
    response: obj({ allowed: { type: "boolean" } }, ["allowed"]),
  },
  /**
   * The uploader deleted a file (file-manager, before it answers the delete): the messages that
   * attach it mark its media `deleted`, each announced with chatmessage_updated. Idempotent.
   */
  "message.fileDeleted": {
    queue: RPC_QUEUES.messageManager,
    request: obj({ customer_id: uuid, file_id: uuid }, ["customer_id", "file_id"]),
    response: obj({ messages: { type: "integer", minimum: 0 } }, ["messages"]),
  },
  // file-manager
  "file.get": {
    queue: RPC_QUEUES.fileManager,
    request: withActor({ file_id: uuid }, ["file_id"]),
    response: fileSchema,
  },
  "file.delete": {
    queue: RPC_QUEUES.fileManager,
    request: write({ file_id: uuid }, ["file_id"]),
    response: fileSchema,
  },
  /**
   * The files a batch of sends attaches (message-manager, once per batch), each named with the
   * sender's customer: every one comes back with its state, and the ready ones with their metadata,
   * marked as referenced so the sweeper keeps them. Another customer's file is `missing`.
   */
  "file.attach": {
    queue: RPC_QUEUES.fileManager,
    request: obj(
      {
        refs: {
          type: "array",
          maxItems: 2000,
          items: obj({ customer_id: uuid, file_id: uuid }, ["customer_id", "file_id"]),
        },
      },
      ["refs"],
    ),
    response: obj(
      {
        files: {
          type: "array",
          items: obj(
            {
              customer_id: uuid,
              file_id: uuid,
              state: { type: "string", enum: FILE_STATES },
              file: fileSchema,
            },
            ["customer_id", "file_id", "state"],
          ),
        },
      },
      ["files"],
    ),
  },
} as const;

export type RpcOperation = keyof RpcTypes;
export type RpcRequest<Op extends RpcOperation> = RpcTypes[Op]["request"];
export type RpcResponse<Op extends RpcOperation> = RpcTypes[Op]["response"];

// Every typed operation has schemas, and every schema'd operation has types (both hold by
// generation; kept as a check that generated/types.ts is not stale after adding an operation).
const _sameOperations: Record<RpcOperation, unknown> = rpcOperations;
const _noExtraOperations: Record<keyof typeof rpcOperations, unknown> = {} as RpcTypes;
void _sameOperations;
void _noExtraOperations;

export function isRpcOperation(name: unknown): name is RpcOperation {
  return typeof name === "string" && Object.prototype.hasOwnProperty.call(rpcOperations, name);
}
