/**
 * Applies chat-manager's changes (the chat-changes protocol, see @talk/contracts chat-changes.ts)
 * to the replica, in revision order, exactly once each, and sequences them into the chat's public
 * event stream. A participant joining or leaving also adds its system message, named from the
 * change itself, in the same transaction — so a redelivered change changes nothing twice, and
 * nothing here asks another service.
 */
import { randomUUID } from "node:crypto";
import { EventNotReady } from "@talk/bus";
import { type ChatChange, isParticipantChange } from "@talk/contracts";
import type { Outbox } from "@talk/db";
import type { Logger } from "@talk/kit";
import { systemText } from "../domain/message-rules";
import { messageCreated, systemMessage } from "../domain/sends";
import type { MessageStore } from "../store/message-store";
import type { ReadStore } from "../store/read-store";

/** The public events of chat changes keep the service that made them. */
const CHANGES_PUBLISHER = "chat-manager";

/** Not a failure: the change waits for its predecessor (redelivered, without using up its retries). */
export class OutOfOrderChange extends EventNotReady {
  constructor(change: ChatChange, applied: number) {
    super(
      `chat ${change.chat_id}: revision ${change.revision} arrived before ${applied + 1}; it will be redelivered`,
    );
  }
}

export class ChatChangeApplier {
  constructor(
    private readonly store: MessageStore,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
    private readonly reads: ReadStore,
  ) {}

  /** The last application queued per chat: a chat's changes are applied one after the other. */
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Applies a change once the chat's previous ones (in delivery order, which is chat-manager's
   * order) are applied. The consumer holds many deliveries at once; applied concurrently, a chat's
   * later change would reach the row first, be refused as out of order and come back after a
   * pause, again and again (a chat created with 1,000 participants took two minutes to apply).
   */
  apply(change: ChatChange): Promise<void> {
    const previous = this.tails.get(change.chat_id) ?? Promise.resolve();
    const applied = previous.catch(() => undefined).then(() => this.applyNow(change));
    const tail = applied.catch(() => undefined);
    this.tails.set(change.chat_id, tail);
    void tail.then(() => {
      if (this.tails.get(change.chat_id) === tail) this.tails.delete(change.chat_id);
    });
    return applied;
  }

  private async applyNow(change: ChatChange): Promise<void> {
    await this.outbox.transaction(async (trx, emit) => {
      const chat = await this.store.lockChat(trx, change.chat_id, change.customer_id);
      if (change.revision <= chat.revision) {
        this.logger.debug({ change_id: change.id, revision: change.revision }, "chat change already applied");
        return;
      }
      if (change.revision !== chat.revision + 1) throw new OutOfOrderChange(change, chat.revision);
      let seq = chat.seq;
      emit({
        id: change.id,
        publisher: CHANGES_PUBLISHER,
        type: change.type,
        customer_id: change.customer_id,
        chat_id: change.chat_id,
        seq: ++seq,
        time: change.time,
        data: change.data,
        request_id: change.request_id,
      });
      if (change.type === "chat_deleted") await this.store.updateChat(trx, chat.id, { deleted: true });
      // The chat's type, so a search with channels=all knows the public channels (issue 12); an
      // update carries it too, which fills it in for a chat created before the replica kept it.
      if (change.type === "chat_created" || change.type === "chat_updated")
        await this.store.updateChat(trx, chat.id, { type: change.data.type });
      if (isParticipantChange(change)) {
        const joined = change.type === "chatparticipant_added";
        if (joined) await this.store.addMember(trx, chat.id, change.data.owner_id);
        else await this.store.removeMember(trx, chat.id, change.data.owner_id);
        const tm = await this.store.nextMessageTime(trx, chat);
        const message = systemMessage(
          randomUUID(),
          { customer_id: change.customer_id, chat_id: chat.id },
          systemText(change.agent_name || "An agent", joined ? "joined" : "left"),
          tm,
        );
        await this.store.insertMessage(trx, message, change.id);
        // A new member has read up to its own join: the history before it is not news to count.
        if (joined) await this.reads.markJoined(trx, chat.id, change.data.owner_id, message.id);
        emit(messageCreated(message, ++seq, change.request_id));
      }
      await this.store.updateChat(trx, chat.id, { revision: change.revision, seq, clock: chat.clock });
    });
  }
}
