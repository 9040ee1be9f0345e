/**
 * message-manager's operations. Membership comes from the local replica of chat-manager's state;
 * a miss is confirmed with chat-manager (and the replica given time to catch up) before refusing.
 * Every write locks the chat's replica row, takes the chat's next event sequence numbers and
 * emits its events through the outbox in the same transaction.
 */
import { randomUUID } from "node:crypto";
import { type Actor, type CreateMessageRequest, type Message, notFound, unavailable } from "@talk/contracts";
import { type Outbox, agentKey, now } from "@talk/db";
import type { Knex } from "knex";
import {
  type ChatView,
  assertAuthor,
  assertChatVisible,
  assertMember,
  assertParent,
  assertPostable,
  assertReactable,
  assertReactionFits,
  isDeleted,
  parentIdOf,
} from "./domain/message-rules";
import type { GroupCommitOptions } from "./group-commit";
import { BatchedSends } from "./message-sends";
import type { MessageMetrics } from "./metrics";
import type { ChatRow, MessageStore } from "./store/message-store";

/** chat-manager's authoritative answer, asked only when the replica says no. */
export interface MembershipAuthority {
  membership(
    customerId: string,
    chatId: string,
    agentId: string,
    requestId?: string,
  ): Promise<{ exists: boolean; member: boolean; seq: number }>;
}

export interface RequestMeta {
  requestId?: string;
  idempotency?: { key: string; fingerprint: string };
}

type Page = { page_size?: number; page_token?: string };

export class MessageService {
  private readonly sends: BatchedSends | undefined;

  constructor(
    private readonly store: MessageStore,
    private readonly outbox: Outbox,
    private readonly authority: MembershipAuthority,
    private readonly options: {
      catchUpTimeoutMs: number;
      batching?: GroupCommitOptions | false;
      metrics?: MessageMetrics;
    } = {
      catchUpTimeoutMs: 5000,
    },
  ) {
    if (options.batching !== false)
      this.sends = new BatchedSends(
        store,
        outbox,
        (r) => this.createAlone(r.actor, r.input, r.meta),
        options.batching,
        options.metrics,
      );
  }

  /** Sends go through group commit (see message-sends.ts); replies, which check their parent, alone. */
  async create(actor: Actor, input: CreateMessageRequest, meta: RequestMeta = {}): Promise<Message> {
    assertPostable(input);
    if (this.sends && !parentIdOf(input)) return this.sends.send({ actor, input, meta });
    return this.createAlone(actor, input, meta);
  }

  private async createAlone(actor: Actor, input: CreateMessageRequest, meta: RequestMeta): Promise<Message> {
    await this.assertParticipant(actor, input.chat_id, true, meta.requestId);
    const parentId = parentIdOf(input);
    return this.write(actor, input.chat_id, meta, async (trx, chat, next) => {
      if (parentId)
        assertParent(await this.store.get(parentId, trx), parentId, {
          id: input.chat_id,
          customer_id: actor.customer_id,
        });
      const tm = await this.store.nextMessageTime(trx, chat);
      const message = await this.store.insertMessage(
        trx,
        {
          id: randomUUID(),
          customer_id: actor.customer_id,
          chat_id: input.chat_id,
          parent_id: parentId,
          owner_type: "agent",
          owner_id: actor.agent_id,
          type: "normal",
          text: input.text ?? "",
          medias: input.medias ?? [],
        },
        tm,
      );
      next("chatmessage_created", message, tm);
      return message;
    });
  }

  async list(actor: Actor, chatId: string, parentId: string | undefined, page: Page, requestId?: string) {
    await this.assertParticipant(actor, chatId, false, requestId);
    return this.store.list(chatId, parentId, page);
  }

  async get(actor: Actor, messageId: string, requestId?: string): Promise<Message> {
    const message = await this.store.get(messageId);
    if (!message || message.customer_id !== actor.customer_id) throw messageNotFound(messageId);
    await this.assertParticipant(actor, message.chat_id, false, requestId);
    return message;
  }

  async delete(actor: Actor, messageId: string, meta: RequestMeta = {}): Promise<Message> {
    const found = await this.get(actor, messageId, meta.requestId);
    return this.write(actor, found.chat_id, meta, async (trx, _chat, next) => {
      const message = await this.lockedMessage(trx, messageId);
      assertAuthor(message, actor);
      if (isDeleted(message)) return message;
      const tm = await this.now(trx);
      await this.store.markDeleted(trx, messageId, tm);
      const deleted = await this.lockedMessage(trx, messageId);
      next("chatmessage_deleted", deleted, tm);
      return deleted;
    });
  }

  async react(
    actor: Actor,
    messageId: string,
    emoji: string,
    add: boolean,
    meta: RequestMeta = {},
  ): Promise<Message> {
    const found = await this.get(actor, messageId, meta.requestId);
    return this.write(actor, found.chat_id, meta, async (trx, _chat, next) => {
      const message = await this.lockedMessage(trx, messageId);
      assertReactable(message);
      if (add) assertReactionFits(message, emoji);
      const tm = await this.now(trx);
      const changed = add
        ? await this.store.addReaction(trx, messageId, emoji, actor.agent_id, tm)
        : await this.store.removeReaction(trx, messageId, emoji, actor.agent_id, tm);
      if (!changed) return message;
      const updated = await this.lockedMessage(trx, messageId);
      next("chatmessage_reaction_updated", updated, tm);
      return updated;
    });
  }

  /** Waits until the replica has applied chat-manager's changes of a chat up to now. */
  async syncChat(customerId: string, chatId: string, requestId?: string): Promise<number> {
    const { seq } = await this.authority.membership(
      customerId,
      chatId,
      "00000000-0000-0000-0000-000000000000",
      requestId,
    );
    await this.catchUp(chatId, seq);
    return seq;
  }

  /**
   * The caller must be a participant. The replica answers first; when it says no, chat-manager is
   * asked, and if it says yes the replica is given time to apply the change (so the events of the
   * chat stay in order: a new member's messages come after its `chatparticipant_added`).
   */
  private async assertParticipant(
    actor: Actor,
    chatId: string,
    forWrite: boolean,
    requestId?: string,
  ): Promise<ChatView> {
    const replica = await this.store.chatView(chatId);
    if (
      replica &&
      replica.customer_id === actor.customer_id &&
      (await this.store.isMember(chatId, actor.agent_id))
    ) {
      return assertChatVisible(replica, actor, chatId, forWrite);
    }
    const truth = await this.authority.membership(actor.customer_id, chatId, actor.agent_id, requestId);
    if (!truth.exists) throw notFound("CHAT_NOT_FOUND", `No chat ${chatId} exists.`);
    await this.catchUp(chatId, truth.seq);
    const caughtUp = assertChatVisible(await this.store.chatView(chatId), actor, chatId, forWrite);
    assertMember(await this.store.isMember(chatId, actor.agent_id), chatId);
    return caughtUp;
  }

  private async catchUp(chatId: string, seq: number): Promise<void> {
    const deadline = Date.now() + this.options.catchUpTimeoutMs;
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      const chat = await this.store.chat(chatId);
      if ((chat?.source_seq ?? 0) >= seq) return;
      if (Date.now() > deadline)
        throw unavailable("REPLICA_BEHIND", "Chat membership is still being updated; retry in a moment.");
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  private write<T>(
    actor: Actor,
    chatId: string,
    meta: RequestMeta,
    work: (
      trx: Knex.Transaction,
      chat: ChatRow,
      next: (
        type: "chatmessage_created" | "chatmessage_deleted" | "chatmessage_reaction_updated",
        message: Message,
        time: string,
      ) => void,
    ) => Promise<T>,
  ): Promise<T> {
    const idempotency = agentKey(actor.agent_id, meta.idempotency);
    return this.outbox.transaction(async (trx, emit) => {
      const chat = await this.store.lockChat(trx, chatId, actor.customer_id);
      assertChatVisible(chat, actor, chatId, true);
      assertMember(await this.store.isMember(chatId, actor.agent_id, trx), chatId);
      const { seq: before, clock } = chat;
      let seq = before;
      const result = await work(trx, chat, (type, message, time) =>
        emit({
          type,
          customer_id: actor.customer_id,
          chat_id: chatId,
          seq: ++seq,
          time,
          data: message,
          request_id: meta.requestId,
        }),
      );
      if (seq !== before || chat.clock !== clock)
        await this.store.updateChat(trx, chatId, { seq, clock: chat.clock });
      return result;
    }, idempotency);
  }

  private async lockedMessage(trx: Knex.Transaction, messageId: string): Promise<Message> {
    const message = await this.store.get(messageId, trx, true);
    if (!message) throw messageNotFound(messageId);
    return message;
  }

  private now(trx: Knex.Transaction): Promise<string> {
    return now(trx);
  }
}

const messageNotFound = (id: string) => notFound("MESSAGE_NOT_FOUND", `No message ${id} exists.`);
