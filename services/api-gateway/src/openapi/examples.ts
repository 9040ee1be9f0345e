/**
 * Examples for the OpenAPI document, taken from the seed's API reference (its ids, names and texts),
 * made valid where the seed is loose (`type: "normal"` chats, `tm_delete: ""`): a test validates
 * every one against the contract's schemas.
 */
import { NOT_DELETED, type ApiOperation } from "@talk/contracts";

const customer = "5e4a0680-804e-11ec-8477-2fea5968d85b";
const chatId = "e8b2e976-f043-44c8-bb89-e214e225e813";
const eb = "eb1ac5c0-ff63-47e2-bcdb-5da9c336eb4b";
const fe = "47fe0b7c-7333-46cf-8b23-61e14e62490a";
const first = "a3c5e8f2-4d3a-4b5c-9e7f-1a2b3c4d5e6f";
const reply = "b2d4f7a1-3c2e-4f5a-8d9c-2e3f4a5b6c7d";
const t = (minute: number) => `2024-01-17 10:${minute}:00.000000`;

const agent = {
  id: eb,
  customer_id: customer,
  username: "alice",
  name: "Alice Agent",
  detail: "",
  permission: "agent",
  tm_create: t(20),
  tm_update: t(20),
  tm_delete: NOT_DELETED,
};
const chat = {
  id: chatId,
  customer_id: customer,
  type: "group",
  name: "Project Alpha",
  detail: "Discussion channel for Project Alpha",
  member_count: 2,
  tm_create: t(30),
  tm_update: t(30),
  tm_delete: NOT_DELETED,
};
const file = {
  id: "3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c",
  customer_id: customer,
  owner_id: eb,
  name: "design.pdf",
  content_type: "application/pdf",
  size: 48213,
  sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  tm_create: t(45),
  tm_delete: NOT_DELETED,
};
const participant = {
  id: "f4d6e9b3-5c4a-4d5e-9f8a-2b3c4d5e6f70",
  customer_id: customer,
  owner_type: "agent",
  owner_id: fe,
  chat_id: chatId,
  tm_joined: t(31),
};
const message = {
  id: first,
  customer_id: customer,
  owner_type: "agent",
  owner_id: eb,
  chat_id: chatId,
  type: "normal",
  text: "Hello team! Let's discuss the new feature.",
  medias: [],
  metadata: { reactions: [] },
  tm_create: t(32),
  tm_update: t(32),
  tm_delete: NOT_DELETED,
  tm_edit: NOT_DELETED,
  pinned_by: "",
  tm_pin: NOT_DELETED,
  mentions: [] as string[],
};
const reacted = {
  ...message,
  id: reply,
  owner_id: fe,
  parent_id: first,
  text: `Great idea <@${eb}>! I'll start working on the requirements.`,
  mentions: [eb],
  metadata: { reactions: [{ emoji: "thumbsup", owner_type: "agent", owner_id: eb, tm_create: t(34) }] },
  tm_create: t(33),
  tm_update: t(34),
};
const token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhZ2VudF9pZCI6ImViMWFjNWMwIn0.c2lnbmF0dXJl";

/** Request body and 200 response of each operation (the request only where it has a body). */
export const EXAMPLES: Record<ApiOperation, { request?: object; response: unknown }> = {
  login: {
    request: { username: "alice", password: "alice-talk-demo" },
    response: { username: "alice", token },
  },
  listAgents: { response: { result: [agent], next_page_token: "" } },
  createAgent: {
    request: { username: "alice", password: "alice-talk-demo", name: "Alice Agent", permission: "agent" },
    response: agent,
  },
  getAgent: { response: agent },
  getAgentsPresence: {
    response: [{ agent_id: eb, status: "online", text: "", tm_presence: t(40) }],
  },
  setMyPresence: {
    request: { status: "dnd", text: "on a call" },
    response: { agent_id: eb, status: "dnd", text: "on a call", tm_presence: t(41) },
  },
  listChats: {
    response: {
      result: [
        { ...chat, unread_count: 1, mention_count: 0, last_read_message_id: null, last_message: message },
      ],
      next_page_token: "",
    },
  },
  createChat: {
    request: { type: "group", name: "Project Alpha", participants: [{ owner_type: "agent", owner_id: fe }] },
    response: chat,
  },
  getChat: { response: chat },
  updateChat: {
    request: { detail: "Discussion channel for Project Alpha" },
    response: { ...chat, tm_update: t(36) },
  },
  deleteChat: { response: { ...chat, tm_update: t(35), tm_delete: t(35) } },
  joinChat: { response: participant },
  markChatRead: {
    request: { message_id: first },
    response: {
      customer_id: customer,
      chat_id: chatId,
      owner_type: "agent",
      owner_id: eb,
      last_read_message_id: first,
      tm_read: t(40),
      unread_count: 0,
      mention_count: 0,
    },
  },
  listParticipants: { response: [{ ...participant, last_read_message_id: first, tm_read: t(40) }] },
  addParticipant: { request: { owner_type: "agent", owner_id: fe }, response: participant },
  removeParticipant: { response: participant },
  listChannels: { response: { result: [{ ...chat, type: "talk", name: "general" }], next_page_token: "" } },
  listMessages: { response: { result: [reacted, message], next_page_token: t(32) } },
  sendMessage: {
    request: { chat_id: chatId, type: "normal", text: "Hello team! Let's discuss the new feature." },
    response: message,
  },
  getMessage: { response: message },
  deleteMessage: {
    response: { ...message, text: "", medias: [], tm_update: t(35), tm_delete: t(35) },
  },
  addReaction: { request: { emoji: "thumbsup" }, response: reacted },
  removeReaction: {
    request: { emoji: "thumbsup" },
    response: { ...reacted, metadata: { reactions: [] }, tm_update: t(35) },
  },
  editMessage: {
    request: { text: "Hello team! Let's discuss the new feature today." },
    response: {
      ...message,
      text: "Hello team! Let's discuss the new feature today.",
      tm_update: t(36),
      tm_edit: t(36),
    },
  },
  listMessageHistory: {
    response: {
      result: [{ message_id: first, text: message.text, medias: [], tm_create: t(32), tm_replace: t(36) }],
      next_page_token: "",
    },
  },
  pinMessage: { response: { ...message, pinned_by: fe, tm_pin: t(37) } },
  unpinMessage: { response: message },
  listPins: { response: { result: [{ ...message, pinned_by: fe, tm_pin: t(37) }], next_page_token: "" } },
  searchMessages: {
    response: {
      result: [{ message, snippet: "Hello team! Let's discuss the new <mark>feature</mark>." }],
      next_page_token: "",
    },
  },
  uploadFile: { response: file },
  getFile: { response: file },
  deleteFile: { response: { ...file, tm_delete: t(50) } },
  // the bytes themselves: no JSON example
  downloadFile: { response: undefined },
};

/** An error body, as every error response carries it. */
export const errorExample = (status: string, reason: string, message: string) => ({
  error: { status, reason, message, request_id: "3f1c2b7e-8a9d-4e5f-b6c7-d8e9f0a1b2c3" },
});
