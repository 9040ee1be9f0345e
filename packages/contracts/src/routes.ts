/**
 * The public HTTP API's route table: every operation once, with its method, path, tag, schemas (by
 * their component name) and the errors it answers with. The OpenAPI document
 * (services/api-gateway/src/openapi) and the SDK (packages/client) are both built from it, so
 * they cannot drift; a gateway test checks that every route here is served. Plain data without
 * imports at run time, so the SDK can take it without the validator.
 */
import type { ErrorStatus } from "./errors";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface ApiRoute {
  method: HttpMethod;
  /** Relative to /v1.0, with `{name}` path parameters (lowercase UUIDs). */
  path: string;
  tag: "auth" | "agents" | "chats" | "participants" | "channels" | "messages" | "files";
  summary: string;
  /** A longer description, when the summary is not enough. */
  description?: string;
  /** The request body's component schema (JSON). */
  body?: string;
  /** The response's component schema (JSON); `page` wraps it in a page, `array` in an array. Absent when the answer is bytes. */
  response?: string;
  list?: "page" | "array";
  /**
   * Bytes instead of JSON, streamed. `upload`: the request body is the bytes, raw with their own
   * Content-Type, or multipart/form-data with them in the part named `file`. `download`: the answer
   * is the bytes, with ETag, Content-Disposition and HTTP Range (206 for a part, 304 when unchanged).
   */
  bytes?: "upload" | "download";
  /** Query parameters: a page request, a message list (chat_id, parent_id, mentions and a page), agent ids, a search, or an upload's name. */
  query?: "page" | "messages" | "ids" | "search" | "name";
  /** Takes an Idempotency-Key header (every write but login). */
  idempotent?: true;
  /** Without a token (login). */
  public?: true;
  /** Rate-limited per client, with RateLimit and RateLimit-Policy headers on every answer (login). */
  rateLimited?: true;
  /** The errors this operation answers with, besides 500. */
  errors: readonly ErrorStatus[];
}

const READ = ["INVALID_ARGUMENT", "UNAUTHENTICATED", "UNAVAILABLE"] as const;
const READ_ONE = [...READ, "PERMISSION_DENIED", "NOT_FOUND"] as const;
const WRITE = [...READ_ONE, "CONFLICT"] as const;
const WRITE_BODY = [...WRITE, "PAYLOAD_TOO_LARGE"] as const;

const CHATS = "/service_agents/talk_chats";
const FILES = "/files";
const MESSAGES = "/service_agents/talk_messages";

export const API_ROUTES = {
  login: {
    method: "POST",
    path: "/auth/login",
    tag: "auth",
    summary: "Log in; returns an access token",
    body: "LoginRequest",
    response: "LoginResponse",
    public: true,
    rateLimited: true,
    errors: ["INVALID_ARGUMENT", "UNAUTHENTICATED", "PAYLOAD_TOO_LARGE", "RESOURCE_EXHAUSTED", "UNAVAILABLE"],
  },
  listAgents: {
    method: "GET",
    path: "/agents",
    tag: "agents",
    summary: "List the agents of my customer",
    response: "Agent",
    list: "page",
    query: "page",
    errors: READ,
  },
  createAgent: {
    method: "POST",
    path: "/agents",
    tag: "agents",
    summary: "Create an agent in my customer (admins only)",
    body: "CreateAgentRequest",
    response: "Agent",
    idempotent: true,
    // RESOURCE_EXHAUSTED: LOGIN_BUSY, the password-hashing queue is full
    errors: [...READ, "PERMISSION_DENIED", "CONFLICT", "PAYLOAD_TOO_LARGE", "RESOURCE_EXHAUSTED"],
  },
  getAgentsPresence: {
    method: "GET",
    path: "/agents/presence",
    tag: "agents",
    summary: "The presence of up to 100 agents of my customer (an agent not seen is offline)",
    response: "Presence",
    list: "array",
    query: "ids",
    errors: READ,
  },
  setMyPresence: {
    method: "PUT",
    path: "/agents/me/presence",
    tag: "agents",
    summary:
      "Set my status: dnd, away or offline (with a text) stays until changed or until I go offline; online returns to automatic presence",
    body: "SetPresenceRequest",
    response: "Presence",
    errors: [...READ, "PAYLOAD_TOO_LARGE"],
  },
  getAgent: {
    method: "GET",
    path: "/agents/{id}",
    tag: "agents",
    summary: "Get an agent",
    response: "Agent",
    errors: [...READ, "NOT_FOUND"],
  },
  listChats: {
    method: "GET",
    path: CHATS,
    tag: "chats",
    summary: "List the chats I am in, newest first",
    response: "Chat",
    list: "page",
    query: "page",
    errors: READ,
  },
  createChat: {
    method: "POST",
    path: CHATS,
    tag: "chats",
    summary: "Create a chat (a direct chat that exists is returned)",
    body: "CreateChatRequest",
    response: "Chat",
    idempotent: true,
    errors: [...READ, "NOT_FOUND", "CONFLICT", "PAYLOAD_TOO_LARGE"],
  },
  getChat: {
    method: "GET",
    path: `${CHATS}/{id}`,
    tag: "chats",
    summary: "Get a chat",
    response: "Chat",
    errors: READ_ONE,
  },
  updateChat: {
    method: "PUT",
    path: `${CHATS}/{id}`,
    tag: "chats",
    summary: "Update a chat's name or detail",
    body: "UpdateChatRequest",
    response: "Chat",
    idempotent: true,
    errors: WRITE_BODY,
  },
  deleteChat: {
    method: "DELETE",
    path: `${CHATS}/{id}`,
    tag: "chats",
    summary: "Delete a chat (soft)",
    response: "Chat",
    idempotent: true,
    errors: WRITE,
  },
  joinChat: {
    method: "POST",
    path: `${CHATS}/{id}/join`,
    tag: "chats",
    summary: "Join a public channel",
    response: "Participant",
    idempotent: true,
    errors: [...READ, "NOT_FOUND", "CONFLICT"],
  },
  markChatRead: {
    method: "POST",
    path: `${CHATS}/{id}/read`,
    tag: "chats",
    summary: "Mark the chat read up to a message (the newest when none is named); the mark never moves back",
    body: "MarkReadRequest",
    response: "ChatRead",
    idempotent: true,
    errors: WRITE_BODY,
  },
  listParticipants: {
    method: "GET",
    path: `${CHATS}/{id}/participants`,
    tag: "participants",
    summary: "List a chat's participants",
    response: "Participant",
    list: "array",
    errors: READ_ONE,
  },
  addParticipant: {
    method: "POST",
    path: `${CHATS}/{id}/participants`,
    tag: "participants",
    summary: "Add a participant (adding one again returns its record)",
    body: "AddParticipantRequest",
    response: "Participant",
    idempotent: true,
    errors: WRITE_BODY,
  },
  removeParticipant: {
    method: "DELETE",
    path: `${CHATS}/{id}/participants/{participant_id}`,
    tag: "participants",
    summary: "Remove a participant",
    response: "Participant",
    idempotent: true,
    errors: WRITE,
  },
  listChannels: {
    method: "GET",
    path: "/service_agents/talk_channels",
    tag: "channels",
    summary: "List my customer's public channels",
    response: "Chat",
    list: "page",
    query: "page",
    errors: READ,
  },
  listMessages: {
    method: "GET",
    path: MESSAGES,
    tag: "messages",
    summary:
      "List messages, newest first: a chat's (or one thread), all my chats' without chat_id, or those mentioning me with mentions=me",
    response: "Message",
    list: "page",
    query: "messages",
    errors: READ_ONE,
  },
  sendMessage: {
    method: "POST",
    path: MESSAGES,
    tag: "messages",
    summary: "Send a message (parent_id for a reply)",
    body: "CreateMessageRequest",
    response: "Message",
    idempotent: true,
    errors: WRITE_BODY,
  },
  getMessage: {
    method: "GET",
    path: `${MESSAGES}/{id}`,
    tag: "messages",
    summary: "Get a message",
    response: "Message",
    errors: READ_ONE,
  },
  deleteMessage: {
    method: "DELETE",
    path: `${MESSAGES}/{id}`,
    tag: "messages",
    summary: "Delete my message (it stays as a tombstone)",
    response: "Message",
    idempotent: true,
    errors: WRITE,
  },
  addReaction: {
    method: "POST",
    path: `${MESSAGES}/{id}/reactions`,
    tag: "messages",
    summary: "Add my reaction (adding it again changes nothing)",
    body: "ReactionRequest",
    response: "Message",
    idempotent: true,
    errors: WRITE_BODY,
  },
  removeReaction: {
    method: "DELETE",
    path: `${MESSAGES}/{id}/reactions`,
    tag: "messages",
    summary: "Remove my reaction",
    body: "ReactionRequest",
    response: "Message",
    idempotent: true,
    errors: WRITE_BODY,
  },
  editMessage: {
    method: "PUT",
    path: `${MESSAGES}/{id}`,
    tag: "messages",
    summary: "Edit my message's text or medias (the earlier version goes into its history)",
    body: "EditMessageRequest",
    response: "Message",
    idempotent: true,
    errors: WRITE_BODY,
  },
  listMessageHistory: {
    method: "GET",
    path: `${MESSAGES}/{id}/history`,
    tag: "messages",
    summary: "List a message's earlier versions, newest first",
    response: "MessageVersion",
    list: "page",
    query: "page",
    errors: READ_ONE,
  },
  pinMessage: {
    method: "POST",
    path: `${MESSAGES}/{id}/pin`,
    tag: "messages",
    summary: "Pin a message in its chat (pinning it again changes nothing; 100 pins a chat at most)",
    response: "Message",
    idempotent: true,
    errors: WRITE,
  },
  unpinMessage: {
    method: "DELETE",
    path: `${MESSAGES}/{id}/pin`,
    tag: "messages",
    summary: "Unpin a message",
    response: "Message",
    idempotent: true,
    errors: WRITE,
  },
  listPins: {
    method: "GET",
    path: `${CHATS}/{id}/pins`,
    tag: "messages",
    summary: "List a chat's pinned messages, newest pin first",
    response: "Message",
    list: "page",
    query: "page",
    errors: READ_ONE,
  },
  searchMessages: {
    method: "GET",
    path: `${MESSAGES}/search`,
    tag: "messages",
    summary: "Search the messages of my chats (and the public channels with channels=all)",
    response: "SearchHit",
    list: "page",
    query: "search",
    errors: READ,
  },
  uploadFile: {
    method: "POST",
    path: FILES,
    tag: "files",
    summary: "Upload a file (streamed; at most FILE_MAX_BYTES, 25 MiB by default)",
    description:
      "multipart/form-data with the file in the part named `file` (its filename and type are kept), or the raw bytes with their Content-Type and `?name=`. The SHA-256 is computed while the bytes arrive. Over the limit: 413 FILE_TOO_LARGE and nothing is kept. Others may read the file once a message attaches it (`medias: [{type: file, file_id}]`) in a chat they are in.",
    bytes: "upload",
    query: "name",
    response: "File",
    errors: ["INVALID_ARGUMENT", "UNAUTHENTICATED", "PAYLOAD_TOO_LARGE", "UNAVAILABLE"],
  },
  getFile: {
    method: "GET",
    path: `${FILES}/{id}`,
    tag: "files",
    summary:
      "Get a file's metadata (its uploader, or a participant of a chat where a live message attaches it)",
    response: "File",
    errors: [...READ, "NOT_FOUND"],
  },
  deleteFile: {
    method: "DELETE",
    path: `${FILES}/{id}`,
    tag: "files",
    summary: "Delete my upload (soft: it stays with tm_delete set; its bytes are removed)",
    response: "File",
    errors: READ_ONE,
  },
  downloadFile: {
    method: "GET",
    path: `${FILES}/{id}/content`,
    tag: "files",
    summary: "Download a file's bytes (Range for a part; the ETag is the SHA-256)",
    bytes: "download",
    errors: [...READ, "NOT_FOUND", "RANGE_NOT_SATISFIABLE"],
  },
} as const satisfies Record<string, ApiRoute>;

export type ApiOperation = keyof typeof API_ROUTES;

/** The path parameters `{name}` of a route, in order. */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
}

/** A route's method and its path with the parameters filled in (URL-encoded). */
export function routeTarget<Op extends ApiOperation>(
  operation: Op,
  params: Record<string, string> = {},
): { method: (typeof API_ROUTES)[Op]["method"]; path: string } {
  const route = API_ROUTES[operation];
  const path = route.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`${operation} needs the path parameter ${name}`);
    return encodeURIComponent(value);
  });
  return { method: route.method, path };
}
