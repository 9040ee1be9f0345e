/**
 * Applies chat-manager's changes to the replica, in chat-manager's order, exactly once each, and
 * sequences them into the chat's public event stream. A participant joining or leaving also adds
 * its system message, in the same transaction — so a redelivered event changes nothing twice.
 */
import { randomUUID } from "node:crypto";
import type { EventEnvelope } from "@talk/contracts";
import type { Outbox } from "@talk/db";
import type { Logger } from "@talk/kit";
import { systemText } from "../domain/message-rules";
import type { MessageStore } from "../store/message-store";

/** Tells the name of an agent for system messages. */
export interface AgentNames {
  nameOf(customerId: string, agentId: string): Promise<string>;
}

export class OutOfOrderEvent extends Error {
  constructor(event: EventEnvelope, applied: number) {
    super(`chat ${event.chat_id}: event ${event.seq} arrived before ${applied + 1}; it will be redelivered`);
  }
}

export class ChatChangeApplier {
  constructor(
    private readonly store: MessageStore,
    private readonly outbox: Outbox,
    private readonly names: AgentNames,
    private readonly logger: Logger,
  ) {}

  async apply(event: EventEnvelope): Promise<void> {
    // Names are looked up before the transaction: no remote call while the chat row is locked.
    const subject =
      event.type === "chatparticipant_added" || event.type === "chatparticipant_removed"
        ? await this.names.nameOf(event.customer_id, event.data.owner_id)
        : undefined;
    await this.outbox.transaction(async (trx, emit) => {
      const chat = await this.store.lockChat(trx, event.chat_id, event.customer_id);
      if (event.seq <= chat.source_seq) {
        this.logger.debug({ event_id: event.id, seq: event.seq }, "chat change already applied");
        return;
      }
      if (event.seq !== chat.source_seq + 1) throw new OutOfOrderEvent(event, chat.source_seq);
      let seq = chat.seq;
      emit({ ...event, seq: ++seq });
      switch (event.type) {
        case "chat_deleted":
          await this.store.updateChat(trx, chat.id, { deleted: true });
          break;
        case "chatparticipant_added":
        case "chatparticipant_removed": {
          const joined = event.type === "chatparticipant_added";
          if (joined) await this.store.addMember(trx, chat.id, event.data.owner_id);
          else await this.store.removeMember(trx, chat.id, event.data.owner_id);
          const tm = await this.store.nextMessageTime(trx, chat);
          const message = await this.store.insertMessage(
            trx,
            {
              id: randomUUID(),
              customer_id: event.customer_id,
              chat_id: chat.id,
              owner_type: "system",
              owner_id: "",
              type: "system",
              text: systemText(subject ?? "An agent", joined ? "joined" : "left"),
              medias: [],
              source_event: event.id,
            },
            tm,
          );
          emit({
            type: "chatmessage_created",
            customer_id: event.customer_id,
            chat_id: chat.id,
            seq: ++seq,
            time: tm,
            data: message,
            request_id: event.request_id,
          });
          break;
        }
        default:
          break;
      }
      await this.store.updateChat(trx, chat.id, { source_seq: event.seq, seq, clock: chat.clock });
    });
  }
}
