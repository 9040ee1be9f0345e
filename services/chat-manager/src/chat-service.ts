/**
 * chat-manager's operations. Each write runs in one transaction that locks the chat row, applies
 * the rules, and emits its changes through the outbox (to message-manager, on talk.chat-changes),
 * each with the chat's next revision; it answers the chat's revision after it, so that the caller
 * can wait for message-manager to have applied it.
 */
import {
  type Actor,
  type Chat,
  type ChatType,
  type Participant,
  type RequestContext,
  notFound,
  type PageRequest,
} from "@talk/contracts";
import { type Emit, type Outbox, agentKey, now } from "@talk/db";
import type { Knex } from "knex";
import { chatChange } from "./domain/chat-changes";
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

/** The names of agents of a customer (agent-manager owns agents). */
export interface AgentDirectory {
  /** The names of those of `agentIds` that are agents of the customer ("" for an agent without one). */
  namesOf(customerId: string, agentIds: string[], requestId?: string): Promise<Map<string, string>>;
}

export interface CreateChat {
  type: ChatType;
  name?: string;
  detail?: string;
  participants?: ParticipantRef[];
}

/** A write's result with the chat's revision after it. */
export type Revised<T> = T & { revision: number };

/**
 * The changes of one chat in one transaction: each gets the chat's next revision, is built by
 * `chatChange` and emitted; `revision` is the chat's revision after them.
 */
class ChatChanges {
  constructor(
    private readonly emit: Emit<"chatChanges">,
    private readonly context: RequestContext,
    public revision: number,
  ) {}

  chat(type: "chat_created" | "chat_updated" | "chat_deleted", chat: Chat, time: string): void {
    this.emit(chatChange(type, chat, this.next(time)));
  }

  participant(
    type: "chatparticipant_added" | "chatparticipant_removed",
    participant: Participant,
    agentName: string,
    time: string,
  ): void {
    this.emit(chatChange(type, participant, this.next(time), agentName));
  }

  private next(time: string) {
    return { revision: ++this.revision, time, requestId: this.context.requestId };
  }
}

export class ChatService {
  constructor(
    private readonly store: ChatStore,
    private readonly outbox: Outbox<"chatChanges">,
    private readonly agents: AgentDirectory,
  ) {}

  async create(input: CreateChat, context: RequestContext): Promise<Revised<{ chat: Chat }>> {
    const { actor } = context;
    const members = initialMembers(input.type, actor.agent_id, input.participants);
    const names = await this.agentNames(actor, members, context.requestId);
    const key = input.type === "direct" ? directKey(actor.customer_id, members) : null;
    return this.outbox.transaction(
      async (trx, emit) => {
        if (key) {
          const existing = await this.store.findLiveDirectChat(trx, key);
          if (existing) return this.ensureMembers(trx, emit, context, existing, members, names);
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
          return this.ensureMembers(trx, emit, context, winner, members, names);
        }
        const participants: Participant[] = [];
        for (const agentId of members)
          participants.push(
            (await this.store.addParticipant(trx, chat, { id: agentId, name: names.get(agentId) ?? "" }, tm))
              .participant,
          );
        const created = { ...chat, member_count: participants.length };
        const changes = new ChatChanges(emit, context, 0);
        changes.chat("chat_created", created, tm);
        for (const p of participants)
          changes.participant("chatparticipant_added", p, names.get(p.owner_id) ?? "", tm);
        await this.store.setRevision(trx, chat.id, changes.revision);
        return { chat: created, revision: changes.revision };
      },
      agentKey(actor.agent_id, context.idempotency),
    );
  }

  /** A direct chat found again: both of its agents are participants once more. */
  private async ensureMembers(
    trx: Knex.Transaction,
    emit: Emit<"chatChanges">,
    context: RequestContext,
    chat: Chat,
    members: string[],
    names: Map<string, string>,
  ): Promise<Revised<{ chat: Chat }>> {
    const locked = await this.store.lockChat(trx, chat.id);
    const changes = new ChatChanges(emit, context, locked?.revision ?? 0);
    const tm = await now(trx);
    for (const agentId of members)
      await this.addMember(trx, changes, chat, { id: agentId, name: names.get(agentId) ?? "" }, tm);
    await this.saveRevision(trx, chat.id, changes, locked?.revision ?? 0);
    return { chat: (await this.store.getChat(chat.id, trx)) ?? chat, revision: changes.revision };
  }

  private async addMember(
    trx: Knex.Transaction,
    changes: ChatChanges,
    chat: Chat,
    agent: { id: string; name: string },
    tm: string,
  ): Promise<Participant> {
    const { participant, added } = await this.store.addParticipant(trx, chat, agent, tm);
    if (added) changes.participant("chatparticipant_added", participant, agent.name, tm);
    return participant;
  }

  async get(actor: Actor, chatId: string): Promise<Chat> {
    const found = await this.store.chatAndMembership(chatId, actor.agent_id);
    const chat = assertSameCustomer(actor, found.chat, chatId);
    assertCanRead({ chat, member: found.member });
    return chat;
  }

  list(actor: Actor, page: PageRequest) {
    return this.store.listChatsOf(actor.customer_id, actor.agent_id, page);
  }

  listChannels(actor: Actor, page: PageRequest) {
    return this.store.listChannels(actor.customer_id, page);
  }

  update(
    chatId: string,
    changes: { name?: string; detail?: string },
    context: RequestContext,
  ): Promise<Revised<{ chat: Chat }>> {
    return this.write(chatId, context, async (trx, { chat, creatorId }, log) => {
      const { actor } = context;
      assertCanUpdate({ chat, creatorId, actor, member: await this.isMember(trx, chatId, actor) });
      const tm = await now(trx);
      const updated = await this.store.updateChat(trx, chatId, { ...changes, tm_update: tm });
      log.chat("chat_updated", updated, tm);
      return { chat: updated };
    });
  }

  delete(chatId: string, context: RequestContext): Promise<Revised<{ chat: Chat }>> {
    return this.write(chatId, context, async (trx, { chat, creatorId }, log) => {
      const { actor } = context;
      assertCanDelete({ chat, creatorId, actor, member: await this.isMember(trx, chatId, actor) });
      const tm = await now(trx);
      const deleted = await this.store.updateChat(trx, chatId, {
        tm_update: tm,
        tm_delete: tm,
        direct_key: null,
      });
      log.chat("chat_deleted", deleted, tm);
      return { chat: deleted };
    });
  }

  async listParticipants(actor: Actor, chatId: string): Promise<Participant[]> {
    await this.get(actor, chatId);
    return this.store.listParticipants(chatId);
  }

  async addParticipant(
    chatId: string,
    ref: ParticipantRef,
    context: RequestContext,
  ): Promise<Revised<{ participant: Participant }>> {
    const names = await this.agentNames(context.actor, [ref.owner_id], context.requestId);
    return this.write(chatId, context, async (trx, { chat }, log) => {
      assertCanWrite({ chat, member: await this.isMember(trx, chatId, context.actor) });
      const existing = await this.store.findParticipant(chatId, ref.owner_id, trx);
      if (existing) return { participant: existing };
      assertCanAddMember(chat);
      const agent = { id: ref.owner_id, name: names.get(ref.owner_id) ?? "" };
      return { participant: await this.addMember(trx, log, chat, agent, await now(trx)) };
    });
  }

  async join(chatId: string, context: RequestContext): Promise<Revised<{ participant: Participant }>> {
    const { actor } = context;
    const names = await this.agentNames(actor, [actor.agent_id], context.requestId);
    return this.write(chatId, context, async (trx, { chat }, log) => {
      assertCanJoin(chat);
      const agent = { id: actor.agent_id, name: names.get(actor.agent_id) ?? "" };
      return { participant: await this.addMember(trx, log, chat, agent, await now(trx)) };
    });
  }

  /** The agent's name was kept when it was added: a removal asks nobody. */
  removeParticipant(
    chatId: string,
    participantId: string,
    context: RequestContext,
  ): Promise<Revised<{ participant: Participant }>> {
    return this.write(chatId, context, async (trx, { chat }, log) => {
      const found = await this.store.getParticipant(chatId, participantId, trx);
      if (!found)
        throw notFound("PARTICIPANT_NOT_FOUND", `No participant ${participantId} exists in chat ${chatId}.`);
      const { participant, agentName } = found;
      assertCanRemove(
        { chat, member: await this.isMember(trx, chatId, context.actor) },
        context.actor,
        participant.owner_id,
      );
      await this.store.removeParticipant(trx, participant);
      log.participant("chatparticipant_removed", participant, agentName, await now(trx));
      return { participant };
    });
  }

  /** The authoritative view used by services that replicate membership. */
  async membership(customerId: string, chatId: string, agentId: string) {
    const found = await this.store.getChatWithRevision(chatId);
    if (!found || found.chat.customer_id !== customerId)
      return { chat: null, participant: null, revision: 0 };
    return {
      chat: found.chat,
      participant: (await this.store.findParticipant(chatId, agentId)) ?? null,
      revision: found.revision,
    };
  }

  /** A write to one chat: locked, once per Idempotency-Key, answered with the chat's revision after it. */
  private write<T extends object>(
    chatId: string,
    context: RequestContext,
    work: (
      trx: Knex.Transaction,
      locked: { chat: Chat; creatorId: string | null },
      changes: ChatChanges,
    ) => Promise<T>,
  ): Promise<Revised<T>> {
    const { actor } = context;
    return this.outbox.transaction(
      async (trx, emit) => {
        const locked = await this.store.lockChat(trx, chatId);
        const chat = assertSameCustomer(actor, locked?.chat, chatId);
        const before = locked?.revision ?? 0;
        const changes = new ChatChanges(emit, context, before);
        const result = await work(trx, { chat, creatorId: locked?.creatorId ?? null }, changes);
        await this.saveRevision(trx, chatId, changes, before);
        return { ...result, revision: changes.revision };
      },
      agentKey(actor.agent_id, context.idempotency),
    );
  }

  private async saveRevision(trx: Knex.Transaction, chatId: string, changes: ChatChanges, before: number) {
    if (changes.revision !== before) await this.store.setRevision(trx, chatId, changes.revision);
  }

  private async isMember(trx: Knex.Transaction, chatId: string, actor: Actor): Promise<boolean> {
    return Boolean(await this.store.findParticipant(chatId, actor.agent_id, trx));
  }

  /**
   * The names of agents the caller adds to a chat (the caller's own included), from agent-manager;
   * every one but the caller must be an agent of the caller's customer.
   */
  private async agentNames(
    actor: Actor,
    agentIds: string[],
    requestId?: string,
  ): Promise<Map<string, string>> {
    const names = await this.agents.namesOf(actor.customer_id, agentIds, requestId);
    const missing = agentIds.filter((id) => id !== actor.agent_id && !names.has(id));
    if (missing.length > 0)
      throw notFound(
        "AGENT_NOT_FOUND",
        `No agent ${missing.join(", ")} exists in your customer; participants must be agents of your customer.`,
      );
    return names;
  }
}
