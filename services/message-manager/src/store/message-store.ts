/** Messages, reactions and the chat replica in message-manager's own database. */
import {
  type Media,
  type Message,
  NOT_PINNED,
  type Reaction,
  UUID_RE,
  normalizeTimestamp,
  type PageRequest,
} from "@talk/contracts";
import {
  type Statement,
  type StepStatement,
  asOne,
  nextTimestamp,
  paginate,
  preparedOnSession,
  runAsOne,
} from "@talk/db";
import type { Knex } from "knex";
import type { ChatView } from "../domain/message-rules";

type Db = Knex | Knex.Transaction;

export interface MessageRow {
  id: string;
  customer_id: string;
  chat_id: string;
  parent_id: string | null;
  owner_type: string;
  owner_id: string;
  type: string;
  text: string;
  medias: Media[] | string;
  tm_create: string;
  tm_update: string;
  tm_delete: string;
  tm_edit: string;
  pinned_by: string;
  tm_pin: string;
  mentions: string[] | string;
}

export interface ReactionRow {
  message_id: string;
  emoji: string;
  owner_id: string;
  tm_create: string;
}

export interface ChatRow {
  /** "direct", "group" or "talk" (a public channel); null for chats created before it was kept. */
  type?: string | null;
  id: string;
  customer_id: string;
  deleted: boolean;
  /** chat-manager's revision of the chat that the replica has applied (the chat-changes protocol). */
  revision: number;
  seq: number;
  clock: string | null;
  /** How many messages the chat has had: the ordinal of its newest (read state). */
  message_count: number;
}

export const toMessage = (row: MessageRow, reactions: ReactionRow[]): Message => ({
  id: row.id,
  customer_id: row.customer_id,
  owner_type: row.owner_type === "system" ? "system" : "agent",
  owner_id: row.owner_id,
  chat_id: row.chat_id,
  ...(row.parent_id ? { parent_id: row.parent_id } : {}),
  type: row.type === "system" ? "system" : "normal",
  text: row.text,
  medias: typeof row.medias === "string" ? (JSON.parse(row.medias) as Media[]) : row.medias,
  metadata: {
    reactions: reactions.map((r): Reaction => ({
      emoji: r.emoji,
      owner_type: "agent",
      owner_id: r.owner_id,
      tm_create: normalizeTimestamp(r.tm_create),
    })),
  },
  tm_create: normalizeTimestamp(row.tm_create),
  tm_update: normalizeTimestamp(row.tm_update),
  tm_delete: normalizeTimestamp(row.tm_delete),
  tm_edit: normalizeTimestamp(row.tm_edit),
  pinned_by: row.pinned_by,
  tm_pin: normalizeTimestamp(row.tm_pin),
  mentions: typeof row.mentions === "string" ? (JSON.parse(row.mentions) as string[]) : row.mentions,
});

/** The columns of a message row (not its search vector). */
export const MESSAGE_COLUMNS = [
  "id",
  "customer_id",
  "chat_id",
  "parent_id",
  "owner_type",
  "owner_id",
  "type",
  "text",
  "medias",
  "tm_create",
  "tm_update",
  "tm_delete",
  "tm_edit",
  "pinned_by",
  "tm_pin",
  "mentions",
] as const;

/** The columns of a chat's replica row (`ChatRow`), named: a prepared statement must not say `*`. */
const CHAT_COLUMNS = "id, customer_id, deleted, revision, seq, clock, message_count, type";

/** How a (chat, agent) membership is named in the sets `lockingChatsForSends` reads. */
export const memberKey = (chatId: string, agentId: string) => `${chatId}:${agentId}`;

export class MessageStore {
  constructor(readonly db: Knex) {}

  // --- the chat replica -------------------------------------------------------------------

  async chat(chatId: string, db: Db = this.db): Promise<ChatRow | undefined> {
    const row: ChatRow | undefined = await db("chats").where({ id: chatId }).first();
    return row && numbered(row);
  }

  async chatView(chatId: string): Promise<ChatView | undefined> {
    const row = await this.chat(chatId);
    return row && { id: row.id, customer_id: row.customer_id, deleted: row.deleted };
  }

  /** Locks the chat's replica row (creating it on first sight): writes to one chat are serialised. */
  async lockChat(trx: Knex.Transaction, chatId: string, customerId: string): Promise<ChatRow> {
    await trx("chats").insert({ id: chatId, customer_id: customerId }).onConflict("id").ignore();
    const row: ChatRow = await trx("chats").where({ id: chatId }).forUpdate().first();
    return numbered(row);
  }

  async updateChat(
    trx: Knex.Transaction,
    chatId: string,
    changes: Partial<Pick<ChatRow, "deleted" | "revision" | "seq" | "clock" | "type">>,
  ) {
    await trx("chats").where({ id: chatId }).update(changes);
  }

  async isMember(chatId: string, agentId: string, db: Db = this.db): Promise<boolean> {
    return Boolean(await db("members").where({ chat_id: chatId, agent_id: agentId }).first("agent_id"));
  }

  async addMember(trx: Knex.Transaction, chatId: string, agentId: string): Promise<void> {
    await trx("members")
      .insert({ chat_id: chatId, agent_id: agentId })
      .onConflict(["chat_id", "agent_id"])
      .ignore();
  }

  async removeMember(trx: Knex.Transaction, chatId: string, agentId: string): Promise<void> {
    await trx("members").where({ chat_id: chatId, agent_id: agentId }).delete();
  }

  /** The next message timestamp of a chat (strictly increasing); the caller holds the chat lock. */
  async nextMessageTime(trx: Knex.Transaction, chat: ChatRow): Promise<string> {
    const tm = await nextTimestamp(trx, chat.clock);
    chat.clock = tm;
    return tm;
  }

  // --- sends in batches (group commit) -----------------------------------------------------

  /**
   * What a batch of sends needs to be decided, in one round trip: the replica rows of its chats,
   * locked in id order (so that concurrent batches cannot deadlock), which of the (chat, agent)
   * pairs are members, with the database's clock read once after the locks are held, and the
   * messages replied to. The members and the parents are read by statements of their own, so they
   * include every change committed before the locks were granted. As statements for a step of the
   * batch's transaction (they go with its BEGIN and its keys' claims), and what their rows say.
   */
  lockingChatsForSends(
    sends: { chatId: string; agentId: string; parentId?: string; mentioned?: string[]; here?: boolean }[],
  ): { statements: StepStatement[]; read(results: Record<string, unknown>[][]): SendFacts } {
    const ids = [...new Set(sends.map((s) => s.chatId))].sort();
    const chats = new Map<string, ChatRow>();
    const parents = new Map<string, Pick<Message, "chat_id" | "customer_id">>();
    const everyone = new Map<string, string[]>();
    if (ids.length === 0)
      return {
        statements: [],
        read: () => ({ chats, members: new Set(), parents, everyone, now: undefined }),
      };
    // The senders first: the clock is read from the first row found (see `now` below).
    const asked = [
      ...sends.map((s) => ({ chatId: s.chatId, agentId: s.agentId })),
      ...sends.flatMap((s) => (s.mentioned ?? []).map((agentId) => ({ chatId: s.chatId, agentId }))),
    ];
    const pairs = [...new Map(asked.map((p) => [memberKey(p.chatId, p.agentId), p])).values()];
    const parentIds = [...new Set(sends.flatMap((s) => (s.parentId ? [s.parentId] : [])))];
    const hereChats = [...new Set(sends.flatMap((s) => (s.here ? [s.chatId] : [])))];
    for (const id of [...ids, ...pairs.flatMap((p) => [p.chatId, p.agentId]), ...parentIds]) assertUuid(id);
    const statements = [
      {
        sql: `select ${CHAT_COLUMNS} from chats where id = any(?::uuid[]) order by id for update`,
        bindings: [ids],
      },
      {
        sql: `select m.chat_id, m.agent_id, (clock_timestamp() at time zone 'utc')::timestamp(6) as now
                from unnest(?::uuid[], ?::uuid[]) as v(chat_id, agent_id)
                join members m on m.chat_id = v.chat_id and m.agent_id = v.agent_id`,
        bindings: [pairs.map((p) => p.chatId), pairs.map((p) => p.agentId)],
      },
      parentIds.length > 0
        ? {
            sql: "select id, chat_id, customer_id from talk_messages where id = any(?::uuid[])",
            bindings: [parentIds],
          }
        : { sql: "select null as id where false", bindings: [] },
      ...(hereChats.length > 0
        ? [
            {
              sql: "select chat_id, agent_id from members where chat_id = any(?::uuid[])",
              bindings: [hereChats],
            },
          ]
        : []),
    ].map((statement) => (statement.bindings.length > 0 ? preparedOnSession(statement) : statement.sql));
    const read = (results: Record<string, unknown>[][]): SendFacts => {
      const [rows, found, replied, all] = results as unknown as (ChatRow & {
        agent_id: string;
        chat_id: string;
        now: string;
      })[][];
      for (const row of all ?? [])
        everyone.set(row.chat_id, [...(everyone.get(row.chat_id) ?? []), row.agent_id]);
      for (const row of rows) chats.set(row.id, numbered(row));
      for (const row of replied ?? [])
        parents.set(row.id, { chat_id: row.chat_id, customer_id: row.customer_id });
      const members = new Set(found.map((m) => memberKey(m.chat_id, m.agent_id)));
      return { chats, members, parents, everyone, now: found[0]?.now };
    };
    return { statements, read };
  }

  /**
   * The statements that write a batch of sends as one (`runAsOne`'s form, for the step that
   * commits the batch): the messages with their ordinals, the chats' new sequence numbers, clocks
   * and message counts, the senders' own read marks (own messages are never unread), and `also` —
   * the other writes of the transaction that go with them (the outbox rows of their events,
   * `insertingEvents`; the responses of their Idempotency-Keys, `recordingResponses`; keys given
   * back, `releasingKeys`). The batch numbers the messages itself (it holds the chats' locks), so
   * the per-row trigger that numbers other inserts does not run for these.
   */
  writingSends(sends: {
    messages: { message: Message; ordinal: number }[];
    chats: Pick<ChatRow, "id" | "seq" | "clock" | "message_count">[];
    reads: OwnRead[];
    also: Statement[];
  }): Statement {
    return asOne([
      ...(sends.messages.length > 0 ? [insertingMessages(sends.messages)] : []),
      ...insertingMentions(sends.messages.map(({ message }) => message)),
      ...(sends.chats.length > 0 ? [sequencingChats(sends.chats)] : []),
      ...(sends.reads.length > 0 ? [movingOwnReads(sends.reads)] : []),
      ...sends.also,
    ]);
  }

  // --- messages --------------------------------------------------------------------------

  /** Inserts one message (made by the domain's `buildMessage`); `sourceEvent`: the chat change it is for. */
  async insertMessage(trx: Knex.Transaction, message: Message, sourceEvent?: string): Promise<void> {
    await runAsOne(trx, [insertingMessages([{ message }], sourceEvent)]);
  }

  async get(messageId: string, db: Db = this.db, lock = false): Promise<Message | undefined> {
    const query = db("talk_messages").where({ id: messageId }).select(MESSAGE_COLUMNS);
    const row: MessageRow | undefined = await (lock ? query.forUpdate() : query).first();
    if (!row) return undefined;
    return toMessage(row, await this.reactionsOf([row.id], db));
  }

  async list(chatId: string, parentId: string | undefined, page: PageRequest) {
    const query = this.db("talk_messages").where({ chat_id: chatId }).select(MESSAGE_COLUMNS);
    if (parentId) query.andWhere({ parent_id: parentId });
    const { rows, next_page_token } = await paginate<MessageRow>(query, page);
    const reactions = await this.reactionsOf(rows.map((r) => r.id));
    return {
      result: rows.map((row) =>
        toMessage(
          row,
          reactions.filter((r) => r.message_id === row.id),
        ),
      ),
      next_page_token,
    };
  }

  reactionsOf(messageIds: string[], db: Db = this.db): Promise<ReactionRow[]> {
    if (messageIds.length === 0) return Promise.resolve([]);
    return db("talk_reactions")
      .whereIn("message_id", messageIds)
      .orderBy("id")
      .select("message_id", "emoji", "owner_id", "tm_create");
  }

  /**
   * Tombstone: text, medias, mentions and reactions cleared, unpinned, tm_delete set (its history
   * stays unlisted). A deleted message mentions nobody: it leaves every mention count.
   */
  async markDeleted(trx: Knex.Transaction, messageId: string, tm: string): Promise<void> {
    await trx("talk_reactions").where({ message_id: messageId }).delete();
    await trx("talk_message_versions").where({ message_id: messageId }).delete();
    await trx("talk_mentions").where({ message_id: messageId }).delete();
    await trx("talk_messages").where({ id: messageId }).update({
      text: "",
      medias: "[]",
      mentions: "[]",
      tm_update: tm,
      tm_delete: tm,
      pinned_by: "",
      tm_pin: NOT_PINNED,
    });
  }

  /** Replaces a message's medias (a file it attaches was deleted), not an edit: no version, no tm_edit. */
  async setMedias(trx: Knex.Transaction, messageId: string, medias: Media[], tm: string): Promise<void> {
    await trx("talk_messages")
      .where({ id: messageId })
      .update({ medias: JSON.stringify(medias), tm_update: tm });
  }

  /** Adds a reaction unless the owner already has that emoji on the message; true when added. */
  async addReaction(
    trx: Knex.Transaction,
    messageId: string,
    emoji: string,
    ownerId: string,
    tm: string,
  ): Promise<boolean> {
    const inserted = await trx("talk_reactions")
      .insert({ message_id: messageId, emoji, owner_type: "agent", owner_id: ownerId, tm_create: tm })
      .onConflict(["message_id", "emoji", "owner_type", "owner_id"])
      .ignore()
      .returning("id");
    if (inserted.length > 0) await trx("talk_messages").where({ id: messageId }).update({ tm_update: tm });
    return inserted.length > 0;
  }

  async removeReaction(
    trx: Knex.Transaction,
    messageId: string,
    emoji: string,
    ownerId: string,
    tm: string,
  ): Promise<boolean> {
    const removed = await trx("talk_reactions")
      .where({ message_id: messageId, emoji, owner_type: "agent", owner_id: ownerId })
      .delete()
      .returning("id");
    if (removed.length > 0) await trx("talk_messages").where({ id: messageId }).update({ tm_update: tm });
    return removed.length > 0;
  }
}

export interface SendFacts {
  chats: Map<string, ChatRow>;
  /** `memberKey`s of the (chat, agent) pairs that are members. */
  members: Set<string>;
  parents: Map<string, Pick<Message, "chat_id" | "customer_id">>;
  /** Every participant of the chats a `<!here>` was sent to. */
  everyone: Map<string, string[]>;
  /** The database's clock once the chats were locked (undefined when no pair is a member). */
  now: string | undefined;
}

/** A sender's read mark moved to its newest message of a batch. */
export interface OwnRead {
  chat_id: string;
  agent_id: string;
  ordinal: number;
  message_id: string;
  tm: string;
}

/** Ids are checked before they are sent (the sends' ids were checked at the gateway: a bug otherwise). */
function assertUuid(id: string): void {
  if (!UUID_RE.test(id)) throw new TypeError(`not a UUID: ${JSON.stringify(id)}`);
}

const numbered = (row: ChatRow): ChatRow => ({
  ...row,
  revision: Number(row.revision),
  seq: Number(row.seq),
  message_count: Number(row.message_count),
});

/**
 * Inserts messages as they were answered (reactions aside: new messages have none). Without an
 * ordinal, the database's trigger numbers the message and moves its sender's read mark.
 */
function insertingMessages(
  messages: { message: Message; ordinal?: number }[],
  sourceEvent?: string,
): Statement {
  const rows = messages.map(({ message: m, ordinal }) => ({
    id: m.id,
    customer_id: m.customer_id,
    chat_id: m.chat_id,
    parent_id: m.parent_id ?? null,
    owner_type: m.owner_type,
    owner_id: m.owner_id,
    type: m.type,
    text: m.text,
    medias: m.medias,
    mentions: m.mentions,
    source_event: sourceEvent ?? null,
    tm_create: m.tm_create,
    tm_update: m.tm_update,
    ordinal: ordinal ?? null,
  }));
  return {
    sql: `insert into talk_messages (id, customer_id, chat_id, parent_id, owner_type, owner_id, type, text, medias, mentions, source_event, tm_create, tm_update, ordinal)
          select id, customer_id, chat_id, parent_id, owner_type, owner_id, type, text, medias, mentions, source_event, tm_create, tm_update, ordinal
            from jsonb_to_recordset(?::jsonb) as m(id uuid, customer_id uuid, chat_id uuid, parent_id uuid,
              owner_type text, owner_id text, type text, text text, medias jsonb, mentions jsonb, source_event uuid,
              tm_create timestamp(6), tm_update timestamp(6), ordinal bigint)`,
    bindings: [JSON.stringify(rows)],
  };
}

/** Moves senders' read marks forward to their messages (never back: a reader may be ahead). */
function movingOwnReads(reads: OwnRead[]): Statement {
  return {
    sql: `update members as m set read_ordinal = v.ordinal, read_message_id = v.message_id, tm_read = v.tm
            from jsonb_to_recordset(?::jsonb) as v(chat_id uuid, agent_id uuid, ordinal bigint, message_id uuid, tm timestamp(6))
           where m.chat_id = v.chat_id and m.agent_id = v.agent_id and m.read_ordinal < v.ordinal`,
    bindings: [JSON.stringify(reads)],
  };
}

/** Stores the chats' new event sequence numbers, message clocks and message counts. */
function sequencingChats(chats: Pick<ChatRow, "id" | "seq" | "clock" | "message_count">[]): Statement {
  return {
    sql: `update chats as c set seq = v.seq, clock = v.clock, message_count = v.message_count
            from jsonb_to_recordset(?::jsonb) as v(id uuid, seq bigint, clock timestamp(6), message_count bigint)
           where c.id = v.id`,
    bindings: [
      JSON.stringify(chats.map(({ id, seq, clock, message_count }) => ({ id, seq, clock, message_count }))),
    ],
  };
}

/** The mention rows of messages (none when no message mentions anyone): who, in which chat, when. */
export function insertingMentions(messages: Message[]): Statement[] {
  const rows = messages.flatMap((m) =>
    m.mentions.map((agentId) => ({
      message_id: m.id,
      agent_id: agentId,
      chat_id: m.chat_id,
      tm_create: m.tm_create,
    })),
  );
  if (rows.length === 0) return [];
  return [
    {
      sql: `insert into talk_mentions (message_id, agent_id, chat_id, tm_create)
            select message_id, agent_id, chat_id, tm_create
              from jsonb_to_recordset(?::jsonb) as x(message_id uuid, agent_id uuid, chat_id uuid, tm_create timestamp(6))`,
      bindings: [JSON.stringify(rows)],
    },
  ];
}
