/** Valid payloads for bus tests: agents (an RPC response) and chat events. */
import { randomUUID } from "node:crypto";
import {
  EVENT_SCHEMA_VERSION,
  NOT_DELETED,
  formatDate,
  type Agent,
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
