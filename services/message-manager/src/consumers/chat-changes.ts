/**
 * Applies chat-manager's changes to the replica, in chat-manager's order, exactly once each, and
 * sequences them into the chat's public event stream. A participant joining or leaving also adds
 * its system message, in the same transaction — so a redelivered event changes nothing twice.
 */
import { randomUUID } from "node:crypto";
import { EventNotReady } from "@talk/bus";
import type { EventEnvelope } from "@talk/contracts";
import type { Outbox } from "@talk/db";
import type { Logger } from "@talk/kit";
import { systemText } from "../domain/message-rules";
import { messageCreated, systemMessage } from "../domain/sends";
import type { MessageStore } from "../store/message-store";

/** Tells the name of an agent for system messages. */
export interface AgentNames {
  nameOf(customerId: string, agentId: string): Promise<string>;
}

/** Not a failure: the event waits for its predecessor (redelivered, without using up its retries). */
export class OutOfOrderEvent extends EventNotReady {
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

  /** The last application queued per chat: a chat's changes are applied one after the other. */
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Applies a change once the chat's previous ones (in delivery order, which is chat-manager's
   * order) are applied. The consumer holds many deliveries at once; applied concurrently, a chat's
   * later change would reach the row first, be refused as out of order and come back after a
   * pause, again and again (a chat created with 1,000 participants took two minutes to apply).
   */
  apply(event: EventEnvelope): Promise<void> {
    // Names are looked up before the transaction (no remote call while the chat row is locked), and
    // while the chat's earlier changes are being applied.
    const subject =
      event.type === "chatparticipant_added" || event.type === "chatparticipant_removed"
        ? this.names.nameOf(event.customer_id, event.data.owner_id)
        : Promise.resolve(undefined);
    subject.catch(() => undefined); // awaited below, in turn
    const previous = this.tails.get(event.chat_id) ?? Promise.resolve();
    const applied = previous.catch(() => undefined).then(async () => this.applyNow(event, await subject));
    const tail = applied.catch(() => undefined);
    this.tails.set(event.chat_id, tail);
    void tail.then(() => {
      if (this.tails.get(event.chat_id) === tail) this.tails.delete(event.chat_id);
    });
    return applied;
  }

  private async applyNow(event: EventEnvelope, subject: string | undefined): Promise<void> {
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
          const message = systemMessage(
            randomUUID(),
            { customer_id: event.customer_id, chat_id: chat.id },
            systemText(subject ?? "An agent", joined ? "joined" : "left"),
            tm,
          );
          await this.store.insertMessage(trx, message, event.id);
          emit(messageCreated(message, ++seq, event.request_id));
          break;
        }
        default:
          break;
      }
      await this.store.updateChat(trx, chat.id, { source_seq: event.seq, seq, clock: chat.clock });
    });
  }
}
