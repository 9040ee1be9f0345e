/**
 * One typed method per route of the API (see docs/openapi.json), grouped as the API groups them.
 * Reads return the resource; lists return a `PagedList` to iterate with `for await`; writes take
 * optional `CallOptions` (their own `idempotencyKey`, a `requestId`, an abort `signal`).
 */
import type {
  Agent,
  Chat,
  ChatRead,
  CreateAgentRequest,
  CreateChatRequest,
  CreateMessageRequest,
  EditMessageRequest,
  Message,
  MessageVersion,
  Page,
  Participant,
  Presence,
  PresenceStatus,
  ParticipantRef,
  SearchHit,
  UpdateChatRequest,
} from "@talk/contracts";
// The route table alone (plain data), not the package's index: the SDK needs no validator.
import { routeTarget as to } from "@talk/contracts/routes";
import { PagedList, type PageParams } from "./pagination";
import type { CallOptions, HttpTransport } from "./transport";

const pageQuery = (params: PageParams) => ({ page_size: params.pageSize, page_token: params.pageToken });

/** Agents of my customer. */
export class AgentsApi {
  constructor(private readonly http: HttpTransport) {}

  list(params: PageParams = {}): PagedList<Agent> {
    return new PagedList(
      (page) => this.http.request<Page<Agent>>({ ...to("listAgents"), query: pageQuery(page) }),
      params,
    );
  }

  get(agentId: string, options?: CallOptions): Promise<Agent> {
    return this.http.request(to("getAgent", { id: agentId }), options);
  }

  /** Customer admins only. */
  create(agent: CreateAgentRequest, options?: CallOptions): Promise<Agent> {
    return this.http.request({ ...to("createAgent"), body: agent }, options);
  }

  /** The presence of up to 100 agents of my customer. */
  presence(agentIds: string[], options?: CallOptions): Promise<Presence[]> {
    return this.http.request({ ...to("getAgentsPresence"), query: { ids: agentIds.join(",") } }, options);
  }

  /** Sets my status: `dnd`, `away` or `offline` (with a text) until changed or I go offline; `online`: automatic. */
  setPresence(status: PresenceStatus, text?: string, options?: CallOptions): Promise<Presence> {
    return this.http.request(
      { ...to("setMyPresence"), body: { status, ...(text !== undefined ? { text } : {}) } },
      options,
    );
  }
}

/** Direct chats, private groups and public channels (`type: "talk"`) I am in. */
export class ChatsApi {
  constructor(private readonly http: HttpTransport) {}

  /** The chats I am in, newest first. */
  list(params: PageParams = {}): PagedList<Chat> {
    return new PagedList(
      (page) => this.http.request<Page<Chat>>({ ...to("listChats"), query: pageQuery(page) }),
      params,
    );
  }

  get(chatId: string, options?: CallOptions): Promise<Chat> {
    return this.http.request(to("getChat", { id: chatId }), options);
  }

  /** A direct chat with an agent that already has one with me returns that one. */
  create(chat: CreateChatRequest, options?: CallOptions): Promise<Chat> {
    return this.http.request({ ...to("createChat"), body: chat }, options);
  }

  update(chatId: string, changes: UpdateChatRequest, options?: CallOptions): Promise<Chat> {
    return this.http.request({ ...to("updateChat", { id: chatId }), body: changes }, options);
  }

  /** Soft delete: the chat leaves every list and takes no more writes. */
  delete(chatId: string, options?: CallOptions): Promise<Chat> {
    return this.http.request(to("deleteChat", { id: chatId }), options);
  }

  /** Join a public channel (`type: "talk"`); returns my participant record. */
  join(chatId: string, options?: CallOptions): Promise<Participant> {
    return this.http.request(to("joinChat", { id: chatId }), options);
  }

  /**
   * Marks the chat read up to `messageId` (default: the newest message); the mark never moves back.
   * Returns my mark and unread count; my other devices get `chat_read`, the participants `chatparticipant_read`.
   */
  markRead(chatId: string, messageId?: string, options?: CallOptions): Promise<ChatRead> {
    const body = messageId ? { message_id: messageId } : {};
    return this.http.request({ ...to("markChatRead", { id: chatId }), body }, options);
  }
}

/** Participants of a chat. */
export class ParticipantsApi {
  constructor(private readonly http: HttpTransport) {}

  list(chatId: string, options?: CallOptions): Promise<Participant[]> {
    return this.http.request(to("listParticipants", { id: chatId }), options);
  }

  /** Adds an agent (by id, or as a `{owner_type, owner_id}` reference); adding a participant again returns its record. */
  add(chatId: string, agent: string | ParticipantRef, options?: CallOptions): Promise<Participant> {
    const body: ParticipantRef = typeof agent === "string" ? { owner_type: "agent", owner_id: agent } : agent;
    return this.http.request({ ...to("addParticipant", { id: chatId }), body }, options);
  }

  remove(chatId: string, participantId: string, options?: CallOptions): Promise<Participant> {
    return this.http.request(to("removeParticipant", { id: chatId, participant_id: participantId }), options);
  }
}

/** Public channels of my customer, joined or not. */
export class ChannelsApi {
  constructor(private readonly http: HttpTransport) {}

  list(params: PageParams = {}): PagedList<Chat> {
    return new PagedList(
      (page) => this.http.request<Page<Chat>>({ ...to("listChannels"), query: pageQuery(page) }),
      params,
    );
  }
}

/** What `messages.send` takes: the API's body with `type` defaulting to `normal`. */
export type SendMessageRequest = Omit<CreateMessageRequest, "type"> & { type?: "normal" };

export interface MessageListParams extends PageParams {
  /** Only this thread: the replies to one message. */
  parentId?: string;
}

export interface MessageSearchParams extends PageParams {
  /** Only this chat. */
  chatId?: string;
  /** Only this agent's messages. */
  ownerId?: string;
  /** "all": the customer's public channels too, besides my chats. */
  channels?: "mine" | "all";
  /** "newest" (the default) or "relevance". */
  order?: "newest" | "relevance";
}

/** Messages, threads, reactions, edits, pins and search. */
export class MessagesApi {
  constructor(private readonly http: HttpTransport) {}

  /** A chat's history, newest first (tombstones and system messages included). */
  list(chatId: string, params: MessageListParams = {}): PagedList<Message> {
    return new PagedList(
      (page) =>
        this.http.request<Page<Message>>({
          ...to("listMessages"),
          query: { chat_id: chatId, parent_id: params.parentId, ...pageQuery(page) },
        }),
      params,
    );
  }

  /** The newest messages of all my chats, newest first (each exactly once while others post). */
  recent(params: PageParams = {}): PagedList<Message> {
    return new PagedList(
      (page) => this.http.request<Page<Message>>({ ...to("listMessages"), query: pageQuery(page) }),
      params,
    );
  }

  /**
   * The messages that mention me (`<@my id>` or `<!here>`), across my chats or in one, newest first.
   * A message's `mentions` lists the agents it mentions; a chat's `mention_count` counts those after my mark.
   */
  mentions(params: PageParams & { chatId?: string } = {}): PagedList<Message> {
    return new PagedList(
      (page) =>
        this.http.request<Page<Message>>({
          ...to("listMessages"),
          query: { mentions: "me", chat_id: params.chatId, ...pageQuery(page) },
        }),
      params,
    );
  }

  /** One thread: the replies to `parentId`, newest first. */
  thread(chatId: string, parentId: string, params: PageParams = {}): PagedList<Message> {
    return this.list(chatId, { ...params, parentId });
  }

  get(messageId: string, options?: CallOptions): Promise<Message> {
    return this.http.request(to("getMessage", { id: messageId }), options);
  }

  /** Posts a message (a thread reply with `parent_id`). */
  send(message: SendMessageRequest, options?: CallOptions): Promise<Message> {
    return this.http.request({ ...to("sendMessage"), body: { ...message, type: "normal" } }, options);
  }

  /** Replies in the thread of `parent`. */
  reply(parent: Pick<Message, "id" | "chat_id">, text: string, options?: CallOptions): Promise<Message> {
    return this.send({ chat_id: parent.chat_id, parent_id: parent.id, text }, options);
  }

  /** Deletes my message, leaving a tombstone. */
  delete(messageId: string, options?: CallOptions): Promise<Message> {
    return this.http.request(to("deleteMessage", { id: messageId }), options);
  }

  /** Adds my reaction (adding it again changes nothing); returns the message. */
  react(messageId: string, emoji: string, options?: CallOptions): Promise<Message> {
    return this.http.request({ ...to("addReaction", { id: messageId }), body: { emoji } }, options);
  }

  /** Removes my reaction; returns the message. */
  unreact(messageId: string, emoji: string, options?: CallOptions): Promise<Message> {
    return this.http.request({ ...to("removeReaction", { id: messageId }), body: { emoji } }, options);
  }

  /** Edits my message's text or medias; the earlier version goes into its history. */
  edit(messageId: string, edit: EditMessageRequest, options?: CallOptions): Promise<Message> {
    return this.http.request({ ...to("editMessage", { id: messageId }), body: edit }, options);
  }

  /** A message's earlier versions, newest first. */
  history(messageId: string, params: PageParams = {}): PagedList<MessageVersion> {
    return new PagedList(
      (page) =>
        this.http.request<Page<MessageVersion>>({
          ...to("listMessageHistory", { id: messageId }),
          query: pageQuery(page),
        }),
      params,
    );
  }

  /** Pins a message in its chat (pinning it again changes nothing). */
  pin(messageId: string, options?: CallOptions): Promise<Message> {
    return this.http.request(to("pinMessage", { id: messageId }), options);
  }

  unpin(messageId: string, options?: CallOptions): Promise<Message> {
    return this.http.request(to("unpinMessage", { id: messageId }), options);
  }

  /** A chat's pinned messages, newest pin first. */
  pins(chatId: string, params: PageParams = {}): PagedList<Message> {
    return new PagedList(
      (page) =>
        this.http.request<Page<Message>>({ ...to("listPins", { id: chatId }), query: pageQuery(page) }),
      params,
    );
  }

  /** Messages matching `q` in the chats I may read, each with a highlighted snippet (HTML, <mark>). */
  search(q: string, params: MessageSearchParams = {}): PagedList<SearchHit> {
    return new PagedList(
      (page) =>
        this.http.request<Page<SearchHit>>({
          ...to("searchMessages"),
          query: {
            q,
            chat_id: params.chatId,
            owner_id: params.ownerId,
            channels: params.channels,
            order: params.order,
            ...pageQuery(page),
          },
        }),
      params,
    );
  }
}
