/**
 * message-manager's operations. Membership comes from the local replica of chat-manager's state
 * (see replica-membership.ts). Sends are written by the batch (message-sends.ts); a deletion or a
 * reaction locks the chat's replica row, takes the chat's next event sequence number and emits its
 * event through the outbox in the same transaction.
 */
import {
  type Actor,
  type CreateMessageRequest,
  type Message,
  type RequestContext,
  notFound,
} from "@talk/contracts";
import { type Emit, type Outbox, agentKey, now } from "@talk/db";
import type { Knex } from "knex";
import {
  assertAuthor,
  assertChatVisible,
  assertMember,
  assertPostable,
  assertReactable,
  assertReactionFits,
  isDeleted,
} from "./domain/message-rules";
import type { GroupCommitOptions } from "./group-commit";
import { BatchedSends, DEFAULT_SEND_BATCHING } from "./message-sends";
import type { MessageMetrics } from "./metrics";
import { type MembershipAuthority, ReplicaMembership } from "./replica-membership";
import type { MessageStore } from "./store/message-store";

type Page = { page_size?: number; page_token?: string };

type MessageEvent = "chatmessage_deleted" | "chatmessage_reaction_updated";

export class MessageService {
  private readonly membership: ReplicaMembership;
  private readonly sends: BatchedSends;

  constructor(
    private readonly store: MessageStore,
    private readonly outbox: Outbox,
    authority: MembershipAuthority,
    options: { catchUpTimeoutMs?: number; batching?: GroupCommitOptions; metrics?: MessageMetrics } = {},
  ) {
    this.membership = new ReplicaMembership(store, authority, options.catchUpTimeoutMs);
    this.sends = new BatchedSends(
      store,
      outbox,
      this.membership,
      options.batching ?? DEFAULT_SEND_BATCHING,
      options.metrics,
    );
  }

  async create(input: CreateMessageRequest, context: RequestContext): Promise<Message> {
    assertPostable(input);
    return this.sends.send(input, context);
  }

  async list(actor: Actor, chatId: string, parentId: string | undefined, page: Page, requestId?: string) {
    await this.membership.assertParticipant(actor, chatId, false, requestId);
    return this.store.list(chatId, parentId, page);
  }

  async get(actor: Actor, messageId: string, requestId?: string): Promise<Message> {
    const message = await this.store.get(messageId);
    if (!message || message.customer_id !== actor.customer_id) throw messageNotFound(messageId);
    await this.membership.assertParticipant(actor, message.chat_id, false, requestId);
    return message;
  }

  async delete(messageId: string, context: RequestContext): Promise<Message> {
    const { actor } = context;
    const found = await this.get(actor, messageId, context.requestId);
    return this.write(found.chat_id, context, async (trx, announce) => {
      const message = await this.lockedMessage(trx, messageId);
      assertAuthor(message, actor);
      if (isDeleted(message)) return message;
      const tm = await now(trx);
      await this.store.markDeleted(trx, messageId, tm);
      const deleted = await this.lockedMessage(trx, messageId);
      announce("chatmessage_deleted", deleted, tm);
      return deleted;
    });
  }

  addReaction(messageId: string, emoji: string, context: RequestContext): Promise<Message> {
    return this.changeReactions(messageId, context, (trx, message, tm) => {
      assertReactionFits(message, emoji);
      return this.store.addReaction(trx, messageId, emoji, context.actor.agent_id, tm);
    });
  }

  removeReaction(messageId: string, emoji: string, context: RequestContext): Promise<Message> {
    return this.changeReactions(messageId, context, (trx, _message, tm) =>
      this.store.removeReaction(trx, messageId, emoji, context.actor.agent_id, tm),
    );
  }

  /** Waits until the replica has applied chat-manager's changes of a chat up to `revision`. */
  awaitChatRevision(chatId: string, revision: number): Promise<number> {
    return this.membership.awaitRevision(chatId, revision);
  }

  /** `change` adds or removes the caller's reaction; true when it changed anything. */
  private async changeReactions(
    messageId: string,
    context: RequestContext,
    change: (trx: Knex.Transaction, message: Message, tm: string) => Promise<boolean>,
  ): Promise<Message> {
    const found = await this.get(context.actor, messageId, context.requestId);
    return this.write(found.chat_id, context, async (trx, announce) => {
      const message = await this.lockedMessage(trx, messageId);
      assertReactable(message);
      const tm = await now(trx);
      if (!(await change(trx, message, tm))) return message;
      const updated = await this.lockedMessage(trx, messageId);
      announce("chatmessage_reaction_updated", updated, tm);
      return updated;
    });
  }

  /**
   * A change to a message of a chat the caller is a participant of: in one transaction with the
   * chat's replica row locked, once per Idempotency-Key; `announce` gives its event the chat's
   * next sequence number.
   */
  private write<T>(
    chatId: string,
    context: RequestContext,
    work: (
      trx: Knex.Transaction,
      announce: (type: MessageEvent, message: Message, time: string) => void,
    ) => Promise<T>,
  ): Promise<T> {
    const { actor, requestId } = context;
    return this.outbox.transaction(
      async (trx, emit: Emit) => {
        const chat = await this.store.lockChat(trx, chatId, actor.customer_id);
        assertChatVisible(chat, actor, chatId, true);
        assertMember(await this.store.isMember(chatId, actor.agent_id, trx), chatId);
        let seq = chat.seq;
        const result = await work(trx, (type, message, time) =>
          emit({
            type,
            customer_id: actor.customer_id,
            chat_id: chatId,
            seq: ++seq,
            time,
            data: message,
            request_id: requestId,
          }),
        );
        if (seq !== chat.seq) await this.store.updateChat(trx, chatId, { seq });
        return result;
      },
      agentKey(actor.agent_id, context.idempotency),
    );
  }

  private async lockedMessage(trx: Knex.Transaction, messageId: string): Promise<Message> {
    const message = await this.store.get(messageId, trx, true);
    if (!message) throw messageNotFound(messageId);
    return message;
  }
}

const messageNotFound = (id: string) => notFound("MESSAGE_NOT_FOUND", `No message ${id} exists.`);
