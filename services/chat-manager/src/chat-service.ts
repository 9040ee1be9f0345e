/**
 * chat-manager's operations. Each write runs in one transaction that locks the chat row, applies
 * the rules, and emits its events through the outbox with the chat's next sequence numbers.
 */
import { type Actor, type Chat, type ChatType, type Participant, notFound } from "@talk/contracts";
import { type Emit, type IdempotencyKey, type Outbox, now } from "@talk/db";
import type { Knex } from "knex";
import {
  type ParticipantRef,
  assertCanAddMember,
  assertCanDelete,
  assertCanJoin,
  assertCanRead,
  assertCanRemove,
  assertCanUpdate,
  assertCanWrite,
  assertSameCustomer,
  directKey,
  initialMembers,
} from "./domain/chat-rules";
import type { ChatStore } from "./store/chat-store";

/** Confirms that agents exist in a customer (agent-manager owns agents). */
export interface AgentDirectory {
  existing(customerId: string, agentIds: string[], requestId?: string): Promise<Set<string>>;
}

export interface CreateChat {
  type: ChatType;
  name?: string;
  detail?: string;
  participants?: ParticipantRef[];
}

type Page = { page_size?: number; page_token?: string };

export class ChatService {
  constructor(
    private readonly store: ChatStore,
    private readonly outbox: Outbox,
    private readonly agents: AgentDirectory,
  ) {}

  async create(
    actor: Actor,
    input: CreateChat,
    requestId?: string,
    idempotency?: IdempotencyKey,
  ): Promise<Chat> {
    const members = initialMembers(input.type, actor.agent_id, input.participants);
    await this.assertAgentsExist(actor.customer_id, members.slice(1), requestId);
    const key = input.type === "direct" ? directKey(actor.customer_id, members) : null;
    return this.outbox.transaction(async (trx, emit) => {
      if (key) {
        const existing = await this.store.findLiveDirectChat(trx, key);
        if (existing) return this.ensureMembers(trx, emit, existing, members, requestId);
      }
      const tm = await this.store.nextChatTimestamp(trx, actor.customer_id);
      const chat = await this.store.insertChat(trx, {
        customer_id: actor.customer_id,
        type: input.type,
        name: input.name ?? "",
        detail: input.detail ?? "",
        direct_key: key,
        creator_id: actor.agent_id,
        tm,
      });
      if (!chat) {
        // Another request created the same direct chat between our check and insert.
        const winner = key && (await this.store.findLiveDirectChat(trx, key));
        if (!winner) throw new Error("direct chat insert conflicted but no live chat holds its key");
        return this.ensureMembers(trx, emit, winner, members, requestId);
      }
      let seq = await this.store.reserveSeq(trx, chat.id, 1 + members.length);
      const participants: Participant[] = [];
      for (const agentId of members)
        participants.push((await this.store.addParticipant(trx, chat, agentId, tm)).participant);
      const created = { ...chat, member_count: participants.length };
      emit({
        type: "chat_created",
        customer_id: chat.customer_id,
        chat_id: chat.id,
        seq: seq++,
        time: tm,
        data: created,
        request_id: requestId,
      });
      for (const p of participants)
        emit({
          type: "chatparticipant_added",
          customer_id: chat.customer_id,
          chat_id: chat.id,
          seq: seq++,
          time: tm,
          data: p,
          request_id: requestId,
        });
      return created;
    }, idempotency);
  }

  /** A direct chat found again: both of its agents are participants once more. */
  private async ensureMembers(
    trx: Knex.Transaction,
    emit: Emit,
    chat: Chat,
    members: string[],
    requestId?: string,
  ): Promise<Chat> {
    const tm = await now(trx);
    for (const agentId of members) await this.addMember(trx, emit, chat, agentId, tm, requestId);
    return (await this.store.getChat(chat.id, trx)) ?? chat;
  }

  private async addMember(
    trx: Knex.Transaction,
    emit: Emit,
    chat: Chat,
    agentId: string,
    tm: string,
    requestId?: string,
  ) {
    const { participant, added } = await this.store.addParticipant(trx, chat, agentId, tm);
    if (added) {
      const seq = await this.store.reserveSeq(trx, chat.id);
      emit({
        type: "chatparticipant_added",
        customer_id: chat.customer_id,
        chat_id: chat.id,
        seq,
        time: tm,
        data: participant,
        request_id: requestId,
      });
    }
    return participant;
  }

  async get(actor: Actor, chatId: string): Promise<Chat> {
    const chat = assertSameCustomer(actor, await this.store.getChat(chatId), chatId);
    assertCanRead({ chat, member: Boolean(await this.store.findParticipant(chatId, actor.agent_id)) });
    return chat;
  }

  list(actor: Actor, page: Page) {
    return this.store.listChatsOf(actor.customer_id, actor.agent_id, page);
  }

  listChannels(actor: Actor, page: Page) {
    return this.store.listChannels(actor.customer_id, page);
  }

  update(
    actor: Actor,
    chatId: string,
    changes: { name?: string; detail?: string },
    requestId?: string,
    idempotency?: IdempotencyKey,
  ): Promise<Chat> {
    return this.write(actor, chatId, idempotency, async (trx, emit, chat, creatorId) => {
      assertCanUpdate({ chat, creatorId, actor, member: await this.isMember(trx, chatId, actor) });
      const tm = await now(trx);
      const updated = await this.store.updateChat(trx, chatId, { ...changes, tm_update: tm });
      const seq = await this.store.reserveSeq(trx, chatId);
      emit({
        type: "chat_updated",
        customer_id: chat.customer_id,
        chat_id: chatId,
        seq,
        time: tm,
        data: updated,
        request_id: requestId,
      });
      return updated;
    });
  }

  delete(actor: Actor, chatId: string, requestId?: string, idempotency?: IdempotencyKey): Promise<Chat> {
    return this.write(actor, chatId, idempotency, async (trx, emit, chat, creatorId) => {
      assertCanDelete({ chat, creatorId, actor, member: await this.isMember(trx, chatId, actor) });
      const tm = await now(trx);
      const deleted = await this.store.updateChat(trx, chatId, {
        tm_update: tm,
        tm_delete: tm,
        direct_key: null,
      });
      const seq = await this.store.reserveSeq(trx, chatId);
      emit({
        type: "chat_deleted",
        customer_id: chat.customer_id,
        chat_id: chatId,
        seq,
        time: tm,
        data: deleted,
        request_id: requestId,
      });
      return deleted;
    });
  }

  async listParticipants(actor: Actor, chatId: string): Promise<Participant[]> {
    await this.get(actor, chatId);
    return this.store.listParticipants(chatId);
  }

  async addParticipant(
    actor: Actor,
    chatId: string,
    ref: ParticipantRef,
    requestId?: string,
    idempotency?: IdempotencyKey,
  ): Promise<Participant> {
    await this.assertAgentsExist(actor.customer_id, [ref.owner_id], requestId);
    return this.write(actor, chatId, idempotency, async (trx, emit, chat) => {
      assertCanWrite({ chat, member: await this.isMember(trx, chatId, actor) });
      const existing = await this.store.findParticipant(chatId, ref.owner_id, trx);
      if (existing) return existing;
      assertCanAddMember(chat);
      return this.addMember(trx, emit, chat, ref.owner_id, await now(trx), requestId);
    });
  }

  join(actor: Actor, chatId: string, requestId?: string, idempotency?: IdempotencyKey): Promise<Participant> {
    return this.write(actor, chatId, idempotency, async (trx, emit, chat) => {
      assertCanJoin(chat);
      return this.addMember(trx, emit, chat, actor.agent_id, await now(trx), requestId);
    });
  }

  removeParticipant(
    actor: Actor,
    chatId: string,
    participantId: string,
    requestId?: string,
    idempotency?: IdempotencyKey,
  ): Promise<Participant> {
    return this.write(actor, chatId, idempotency, async (trx, emit, chat) => {
      const participant = await this.store.getParticipant(chatId, participantId, trx);
      if (!participant)
        throw notFound("PARTICIPANT_NOT_FOUND", `No participant ${participantId} exists in chat ${chatId}.`);
      assertCanRemove({ chat, member: await this.isMember(trx, chatId, actor) }, actor, participant.owner_id);
      await this.store.removeParticipant(trx, participant);
      const seq = await this.store.reserveSeq(trx, chatId);
      emit({
        type: "chatparticipant_removed",
        customer_id: chat.customer_id,
        chat_id: chatId,
        seq,
        time: await now(trx),
        data: participant,
        request_id: requestId,
      });
      return participant;
    });
  }

  /** The authoritative view used by services that replicate membership. */
  async membership(customerId: string, chatId: string, agentId: string) {
    const found = await this.store.getChatWithSeq(chatId);
    if (!found || found.chat.customer_id !== customerId) return { chat: null, participant: null, seq: 0 };
    return {
      chat: found.chat,
      participant: (await this.store.findParticipant(chatId, agentId)) ?? null,
      seq: found.seq,
    };
  }

  private write<T>(
    actor: Actor,
    chatId: string,
    idempotency: IdempotencyKey | undefined,
    work: (trx: Knex.Transaction, emit: Emit, chat: Chat, creatorId: string | null) => Promise<T>,
  ): Promise<T> {
    return this.outbox.transaction(async (trx, emit) => {
      const locked = await this.store.lockChat(trx, chatId);
      const chat = assertSameCustomer(actor, locked?.chat, chatId);
      return work(trx, emit, chat, locked?.creatorId ?? null);
    }, idempotency);
  }

  private async isMember(trx: Knex.Transaction, chatId: string, actor: Actor): Promise<boolean> {
    return Boolean(await this.store.findParticipant(chatId, actor.agent_id, trx));
  }

  private async assertAgentsExist(customerId: string, agentIds: string[], requestId?: string): Promise<void> {
    if (agentIds.length === 0) return;
    const found = await this.agents.existing(customerId, agentIds, requestId);
    const missing = agentIds.filter((id) => !found.has(id));
    if (missing.length > 0)
      throw notFound(
        "AGENT_NOT_FOUND",
        `No agent ${missing.join(", ")} exists in your customer; participants must be agents of your customer.`,
      );
  }
}
