/** Chats and participants in chat-manager's own database. Writes run inside the caller's transaction. */
import { randomUUID } from "node:crypto";
import {
  type Chat,
  type ChatType,
  NOT_DELETED,
  type Participant,
  normalizeTimestamp,
  type PageRequest,
} from "@talk/contracts";
import { nextTimestamp, paginate, prepared } from "@talk/db";
import type { Knex } from "knex";

interface ChatRow {
  id: string;
  customer_id: string;
  type: string;
  name: string;
  detail: string;
  member_count: number;
  /** The chat's revision: how many changes it has had (the chat-changes protocol). */
  revision: number;
  tm_create: string;
  tm_update: string;
  tm_delete: string;
  creator_id: string | null;
}

interface ParticipantRow {
  id: string;
  customer_id: string;
  chat_id: string;
  owner_type: string;
  owner_id: string;
  agent_name: string;
  tm_joined: string;
}

const CHAT_COLUMNS = [
  "id",
  "customer_id",
  "type",
  "name",
  "detail",
  "member_count",
  "revision",
  "tm_create",
  "tm_update",
  "tm_delete",
].map((c) => `talk_chats.${c}`);

const toChat = (row: ChatRow): Chat => ({
  id: row.id,
  customer_id: row.customer_id,
  type: row.type as ChatType,
  name: row.name,
  detail: row.detail,
  member_count: Number(row.member_count),
  tm_create: normalizeTimestamp(row.tm_create),
  tm_update: normalizeTimestamp(row.tm_update),
  tm_delete: normalizeTimestamp(row.tm_delete),
});

const toParticipant = (row: ParticipantRow): Participant => ({
  id: row.id,
  customer_id: row.customer_id,
  owner_type: "agent",
  owner_id: row.owner_id,
  chat_id: row.chat_id,
  tm_joined: normalizeTimestamp(row.tm_joined),
});

type Db = Knex | Knex.Transaction;

export class ChatStore {
  constructor(private readonly db: Knex) {}

  async getChat(chatId: string, db: Db = this.db): Promise<Chat | undefined> {
    const row: ChatRow | undefined = await db("talk_chats").where({ id: chatId }).first();
    return row && toChat(row);
  }

  /**
   * The chat, and whether the agent is one of its participants: one round trip, on a prepared
   * statement (`GET talk_chats/{id}`'s query: planning it cost PostgreSQL more than running it).
   */
  async chatAndMembership(chatId: string, agentId: string): Promise<{ chat?: Chat; member: boolean }> {
    const [row] = await prepared<ChatRow & { is_member: boolean }>(
      this.db,
      "chat-and-membership",
      `select ${CHAT_COLUMNS.join(", ")},
              exists (select 1 from talk_participants p
                       where p.chat_id = talk_chats.id and p.owner_type = 'agent' and p.owner_id = ?) as is_member
         from talk_chats where talk_chats.id = ?`,
      [agentId, chatId],
    );
    return { chat: row && toChat(row), member: Boolean(row?.is_member) };
  }

  /** The types of the chats of these ids that exist (any customer's: for services' replicas). */
  async typesOf(chatIds: string[]): Promise<{ id: string; type: Chat["type"] }[]> {
    return this.db("talk_chats").whereIn("id", chatIds).select("id", "type");
  }

  /** The chat with its revision. */
  async getChatWithRevision(chatId: string): Promise<{ chat: Chat; revision: number } | undefined> {
    const row: ChatRow | undefined = await this.db("talk_chats").where({ id: chatId }).first();
    return row && { chat: toChat(row), revision: Number(row.revision) };
  }

  /**
   * Locks the chat row for the rest of the transaction: writes to one chat are serialised. Returns
   * the chat with its creator (kept internal: the API does not expose it) and its revision.
   */
  async lockChat(
    trx: Knex.Transaction,
    chatId: string,
  ): Promise<{ chat: Chat; creatorId: string | null; revision: number } | undefined> {
    const row: ChatRow | undefined = await trx("talk_chats").where({ id: chatId }).forUpdate().first();
    return row && { chat: toChat(row), creatorId: row.creator_id, revision: Number(row.revision) };
  }

  async findParticipant(chatId: string, agentId: string, db: Db = this.db): Promise<Participant | undefined> {
    const row: ParticipantRow | undefined = await db("talk_participants")
      .where({ chat_id: chatId, owner_type: "agent", owner_id: agentId })
      .first();
    return row && toParticipant(row);
  }

  /** A participant, with its agent's name as it was when added. */
  async getParticipant(
    chatId: string,
    participantId: string,
    db: Db = this.db,
  ): Promise<{ participant: Participant; agentName: string } | undefined> {
    const row: ParticipantRow | undefined = await db("talk_participants")
      .where({ id: participantId, chat_id: chatId })
      .first();
    return row && { participant: toParticipant(row), agentName: row.agent_name };
  }

  async listParticipants(chatId: string): Promise<Participant[]> {
    const rows: ParticipantRow[] = await this.db("talk_participants")
      .where({ chat_id: chatId })
      .orderBy([
        { column: "tm_joined", order: "asc" },
        { column: "id", order: "asc" },
      ]);
    return rows.map(toParticipant);
  }

  async findLiveDirectChat(trx: Knex.Transaction, key: string): Promise<Chat | undefined> {
    const row: ChatRow | undefined = await trx("talk_chats").where({ direct_key: key }).forUpdate().first();
    return row && toChat(row);
  }

  /** A tm_create later than every other chat of the customer (unique per customer). */
  async nextChatTimestamp(trx: Knex.Transaction, customerId: string): Promise<string> {
    await trx("customer_clocks")
      .insert({ customer_id: customerId, last: "-infinity" })
      .onConflict("customer_id")
      .ignore();
    const clock: { last: string } = await trx("customer_clocks")
      .where({ customer_id: customerId })
      .forUpdate()
      .first("last");
    const tm = await nextTimestamp(trx, clock.last === "-infinity" ? null : clock.last);
    await trx("customer_clocks").where({ customer_id: customerId }).update({ last: tm });
    return tm;
  }

  /** Inserts a chat; returns undefined when a live direct chat with the same key won the race. */
  async insertChat(
    trx: Knex.Transaction,
    chat: {
      customer_id: string;
      type: ChatType;
      name: string;
      detail: string;
      direct_key: string | null;
      creator_id: string;
      tm: string;
    },
  ): Promise<Chat | undefined> {
    const rows: ChatRow[] = await trx("talk_chats")
      .insert({
        id: randomUUID(),
        customer_id: chat.customer_id,
        type: chat.type,
        name: chat.name,
        detail: chat.detail,
        direct_key: chat.direct_key,
        creator_id: chat.creator_id,
        tm_create: chat.tm,
        tm_update: chat.tm,
        tm_delete: NOT_DELETED,
      })
      .onConflict("direct_key")
      .ignore()
      .returning(CHAT_COLUMNS.map((c) => c.replace("talk_chats.", "")));
    return rows[0] && toChat(rows[0]);
  }

  /** Adds the agent (and its name) unless already a participant; keeps member_count exact. */
  async addParticipant(
    trx: Knex.Transaction,
    chat: Pick<Chat, "id" | "customer_id">,
    agent: { id: string; name: string },
    tm: string,
  ): Promise<{ participant: Participant; added: boolean }> {
    const agentId = agent.id;
    const inserted: ParticipantRow[] = await trx("talk_participants")
      .insert({
        id: randomUUID(),
        customer_id: chat.customer_id,
        chat_id: chat.id,
        owner_type: "agent",
        owner_id: agentId,
        agent_name: agent.name,
        tm_joined: tm,
      })
      .onConflict(["chat_id", "owner_type", "owner_id"])
      .ignore()
      .returning("*");
    if (inserted[0]) {
      await trx("talk_chats").where({ id: chat.id }).increment("member_count", 1);
      return { participant: toParticipant(inserted[0]), added: true };
    }
    const existing = await this.findParticipant(chat.id, agentId, trx);
    if (!existing) throw new Error(`participant of ${agentId} in ${chat.id} vanished inside a transaction`);
    return { participant: existing, added: false };
  }

  async removeParticipant(trx: Knex.Transaction, participant: Participant): Promise<boolean> {
    const removed: { id: string }[] = await trx("talk_participants")
      .where({ id: participant.id })
      .delete()
      .returning("id");
    if (removed.length > 0)
      await trx("talk_chats").where({ id: participant.chat_id }).decrement("member_count", removed.length);
    return removed.length > 0;
  }

  async updateChat(
    trx: Knex.Transaction,
    chatId: string,
    changes: Partial<Pick<ChatRow, "name" | "detail" | "tm_update" | "tm_delete">> & { direct_key?: null },
  ): Promise<Chat> {
    const rows: ChatRow[] = await trx("talk_chats").where({ id: chatId }).update(changes).returning("*");
    return toChat(rows[0]);
  }

  /** Records the chat's revision after a transaction's changes (the caller holds the chat's lock). */
  async setRevision(trx: Knex.Transaction, chatId: string, revision: number): Promise<void> {
    await trx("talk_chats").where({ id: chatId }).update({ revision });
  }

  async listChatsOf(customerId: string, agentId: string, page: PageRequest) {
    const query = this.db("talk_chats")
      .join("talk_participants", "talk_participants.chat_id", "talk_chats.id")
      .where({
        "talk_chats.customer_id": customerId,
        "talk_participants.owner_id": agentId,
        "talk_chats.tm_delete": NOT_DELETED,
      })
      .select(CHAT_COLUMNS);
    const { rows, next_page_token } = await paginate<ChatRow>(query, page, "talk_chats.tm_create");
    return { result: rows.map(toChat), next_page_token };
  }

  async listChannels(customerId: string, page: PageRequest) {
    const query = this.db("talk_chats").where({
      customer_id: customerId,
      type: "talk",
      tm_delete: NOT_DELETED,
    });
    const { rows, next_page_token } = await paginate<ChatRow>(query, page);
    return { result: rows.map(toChat), next_page_token };
  }
}
