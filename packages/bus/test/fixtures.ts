/** Valid payloads for bus tests: agents (an RPC response) and chat events. */
import { randomUUID } from "node:crypto";
import {
  CHAT_CHANGE_VERSION,
  EVENT_SCHEMA_VERSION,
  NOT_DELETED,
  formatDate,
  type Agent,
  type Chat,
  type ChatChange,
  type EventEnvelope,
} from "@talk/contracts";

export function agent(customerId: string, agentId: string, name = "Ada"): Agent {
  const now = formatDate(new Date());
  return {
    id: agentId,
    customer_id: customerId,
    username: `${name.toLowerCase()}@example.com`,
    name,
    detail: "",
    permission: "agent",
    tm_create: now,
    tm_update: now,
    tm_delete: NOT_DELETED,
  };
}

export type ChatEventType = "chat_created" | "chat_updated" | "chat_deleted";

export function chatEvent(type: ChatEventType, customerId: string, chatId: string, seq = 1): EventEnvelope {
  const now = formatDate(new Date());
  return {
    id: randomUUID(),
    type,
    version: EVENT_SCHEMA_VERSION,
    publisher: "bus-test",
    customer_id: customerId,
    chat_id: chatId,
    seq,
    time: now,
    request_id: `req-${seq}`,
    data: {
      id: chatId,
      customer_id: customerId,
      type: "group",
      name: "Test chat",
      detail: "",
      member_count: 1,
      tm_create: now,
      tm_update: now,
      tm_delete: NOT_DELETED,
    },
  };
}

export const uniqueQueue = (label: string) => `test.${label}.${randomUUID().slice(0, 8)}`;

/** The same change as chat-manager tells it on `talk.chat-changes` (a revision instead of a seq). */
export function chatChange(customerId: string, chatId: string, revision = 1): ChatChange<"chat_updated"> {
  const { id, customer_id, chat_id, time, request_id, data } = chatEvent(
    "chat_updated",
    customerId,
    chatId,
    revision,
  );
  return {
    id,
    type: "chat_updated",
    version: CHAT_CHANGE_VERSION,
    customer_id,
    chat_id,
    revision,
    time,
    request_id,
    data: data as Chat,
  };
}
