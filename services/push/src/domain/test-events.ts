/** Event envelopes for the domain's unit tests: one chat's history, built seq by seq. */
import { randomUUID } from "node:crypto";
import { EVENT_SCHEMA_VERSION, NOT_DELETED, type EventEnvelope } from "@talk/contracts";

const TIME = "2024-01-17 10:30:00.000000";

export class ChatHistory {
  readonly chatId = randomUUID();
  private seq = 0;

  constructor(readonly customerId: string = randomUUID()) {}

  created(memberCount: number, type: "direct" | "group" | "talk" = "group"): EventEnvelope {
    return this.next("chat_created", {
      id: this.chatId,
      customer_id: this.customerId,
      type,
      name: "Q1 Project",
      detail: "",
      member_count: memberCount,
      tm_create: TIME,
      tm_update: TIME,
      tm_delete: NOT_DELETED,
    });
  }

  added(agentId: string): EventEnvelope {
    return this.next("chatparticipant_added", this.participant(agentId));
  }

  removed(agentId: string): EventEnvelope {
    return this.next("chatparticipant_removed", this.participant(agentId));
  }

  message(text = "Sprint 1 completed!"): EventEnvelope {
    return this.next("chatmessage_created", {
      id: randomUUID(),
      customer_id: this.customerId,
      owner_type: "agent",
      owner_id: randomUUID(),
      chat_id: this.chatId,
      type: "normal",
      text,
      medias: [],
      metadata: { reactions: [] },
      tm_create: TIME,
      tm_update: TIME,
      tm_delete: NOT_DELETED,
      tm_edit: NOT_DELETED,
      pinned_by: "",
      tm_pin: NOT_DELETED,
      mentions: [],
    });
  }

  /** A read mark's event (`chat_read` or its receipt `chatparticipant_read`) by `agentId`. */
  read(type: "chat_read" | "chatparticipant_read", agentId: string): EventEnvelope {
    return this.next(type, {
      customer_id: this.customerId,
      chat_id: this.chatId,
      owner_type: "agent",
      owner_id: agentId,
      last_read_message_id: randomUUID(),
      tm_read: TIME,
      unread_count: 0,
    });
  }

  deleted(): EventEnvelope {
    const created = this.created(0);
    return { ...created, type: "chat_deleted", data: { ...created.data, tm_delete: TIME } } as EventEnvelope;
  }

  /** Skips a seq (an event that will arrive later, or never). */
  skip(): void {
    this.seq++;
  }

  private participant(agentId: string) {
    return {
      id: randomUUID(),
      customer_id: this.customerId,
      chat_id: this.chatId,
      owner_type: "agent",
      owner_id: agentId,
      tm_joined: TIME,
    };
  }

  private next(type: EventEnvelope["type"], data: unknown): EventEnvelope {
    return {
      id: randomUUID(),
      type,
      version: EVENT_SCHEMA_VERSION,
      publisher: "test",
      customer_id: this.customerId,
      chat_id: this.chatId,
      seq: ++this.seq,
      time: TIME,
      data,
    } as EventEnvelope;
  }
}
