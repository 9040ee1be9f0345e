/**
 * What the console knows and does, apart from how it looks: the agent's chats, the customer's
 * channels and agents, the history of each opened chat, kept current by the SDK's real-time
 * subscription, with the agents' presence and who is typing where. What I have not read, my
 * drafts and the messages waiting to be sent live in `model/`. Components read the store and
 * call its actions; every change notifies them.
 */
import {
  type Agent,
  type Chat,
  type Message,
  type MessageVersion,
  type Participant,
  type PresenceStatus,
  type SearchHit,
  type RealtimeEvent,
  type RealtimeStatus,
  type RealtimeSubscription,
  TalkApiError,
  type TalkClient,
  type TypingState,
} from "@talk/client";
import { ChatAdmin } from "./chat-admin";
import { Drafts } from "./model/drafts";
import { plainText } from "./model/mentions";
import { Outbox } from "./model/outbox";
import { ReadState } from "./model/read-state";
import { Sender } from "./model/sender";
import { type KeyValueStorage, browserStorage } from "./model/storage";
import { Uploads } from "./model/uploads";

export interface History {
  /** Oldest first, as shown. */
  messages: Message[];
  /** Where older messages start; `""` once the first message is loaded. */
  olderToken: string;
  loading: boolean;
  participants: Participant[];
}

/** Why an open chat can no longer be written to (it stays on screen, with its draft). */
export type ChatGone = "removed" | "deleted";

const PAGE_SIZE = 30;
const NOT_DELETED = "9999-01-01 00:00:00.000000";
const byTime = (a: Message, b: Message) => a.tm_create.localeCompare(b.tm_create) || a.id.localeCompare(b.id);

export class ConsoleStore {
  me?: Agent;
  readonly agents = new Map<string, Agent>();
  readonly chats = new Map<string, Chat>();
  readonly histories = new Map<string, History>();
  readonly reads: ReadState;
  readonly drafts: Drafts;
  readonly sender: Sender;
  readonly uploads: Uploads;
  /** Creating, joining, renaming, membership, leaving and deleting chats. */
  readonly admin = new ChatAdmin(this);
  /** Chats I was looking at when I was removed from them or they were deleted. */
  readonly gone = new Map<string, { chat: Chat; why: ChatGone }>();
  /** Presence of the customer's agents: from the agent list, then live. */
  readonly presence = new Map<string, PresenceStatus>();
  /** Who types where ("<chat> <thread or empty>" → agent ids), live. */
  private readonly typists = new Map<string, string[]>();
  /** Last activity per chat (its newest message, or its last change), for ordering the list. */
  private readonly activity = new Map<string, string>();
  channels: Chat[] = [];
  /** Pinned messages per chat, newest pin first (loaded when a chat opens, kept by pin events). */
  readonly pins = new Map<string, Message[]>();
  /** The last search and its hits (undefined: no search shown). */
  search?: { q: string; hits: SearchHit[] };
  /** The message to show highlighted in its chat (opened from a search hit). */
  focusId?: string;
  status: RealtimeStatus = "connecting";
  error?: string;
  /** The latest thing to tell a screen reader (a new message), for the aria-live region. */
  announcement = "";
  openChatId?: string;
  threadId?: string;
  private readonly listeners = new Set<() => void>();
  private live?: RealtimeSubscription;
  private markTimer?: ReturnType<typeof setTimeout>;
  /** Chats I am leaving or deleting myself (their events need no notice). */
  readonly dropping = new Set<string>();

  constructor(
    readonly client: TalkClient,
    /** Called when the API no longer takes the session's token (it expired): sign in again. */
    private readonly onSessionEnded: () => void = () => undefined,
    storage: KeyValueStorage = browserStorage(),
  ) {
    this.reads = new ReadState(client.identity.agentId);
    this.drafts = new Drafts(storage, client.identity.agentId);
    this.sender = new Sender(client, new Outbox(storage, client.identity.agentId), this.drafts, {
      delivered: (message) => this.upsert(message),
      refused: (_pending, error) =>
        this.update(() => (this.error = `Not sent, kept as a draft: ${error.message} (${error.reason})`)),
      changed: () => this.update(() => undefined),
    });
    this.uploads = new Uploads(client, () => this.update(() => undefined));
  }

  get myId(): string {
    return this.client.identity.agentId;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    const { agentId, customerId } = this.client.identity;
    this.live = this.client.realtime({
      topics: [`agent_id:${agentId}:chat`, `customer_id:${customerId}:presence`],
      onEvent: (event) => this.apply(event),
      onPresence: (presence) => this.update(() => this.presence.set(presence.agent_id, presence.status)),
      onTyping: (state) => this.update(() => this.showTyping(state)),
      onStatus: (status) => {
        this.update(() => (this.status = status));
        if (status === "live") void this.sender.flush();
      },
      onResync: () => void this.reload(),
      onError: (error) => {
        if (error instanceof TalkApiError) this.fail(error);
      },
    });
    await this.attempt(async () => {
      const [me, agents] = await Promise.all([this.client.me(), this.client.agents.list().toArray()]);
      this.me = me;
      for (const agent of agents) {
        this.agents.set(agent.id, agent);
        if (agent.presence && !this.presence.has(agent.id))
          this.presence.set(agent.id, agent.presence.status);
      }
      await this.reload();
    });
  }

  stop(): void {
    this.live?.close();
    this.listeners.clear();
    clearTimeout(this.markTimer);
  }

  // ---- reading -------------------------------------------------------------------------------

  /** My chats, most recently active first. */
  chatList(): Chat[] {
    const at = (chat: Chat) => this.activity.get(chat.id) ?? chat.last_message?.tm_create ?? chat.tm_update;
    return [...this.chats.values()].sort((a, b) => at(b).localeCompare(at(a)));
  }

  /** The open chat: one of mine, or one that just went away (shown with why). */
  openChat(): { chat: Chat; gone?: ChatGone } | undefined {
    if (!this.openChatId) return undefined;
    const chat = this.chats.get(this.openChatId);
    if (chat) return { chat };
    const gone = this.gone.get(this.openChatId);
    return gone && { chat: gone.chat, gone: gone.why };
  }

  /** Every reply under a message (replies to replies too), oldest first. */
  thread(chatId: string, parentId: string): Message[] {
    const inThread = new Set([parentId]);
    const replies: Message[] = [];
    for (const message of this.histories.get(chatId)?.messages ?? [])
      if (message.parent_id && inThread.has(message.parent_id)) {
        inThread.add(message.id);
        replies.push(message);
      }
    return replies;
  }

  presenceOf(agentId: string): PresenceStatus {
    return this.presence.get(agentId) ?? "offline";
  }

  /** "Bob is typing…" for a chat (`parentId`: one thread of it), or nothing. */
  typingText(chatId: string, parentId?: string): string | undefined {
    const names = (this.typists.get(`${chatId} ${parentId ?? ""}`) ?? []).map((id) => this.agentName(id));
    if (names.length === 0) return undefined;
    if (names.length === 1) return `${names[0]} is typing…`;
    if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
    return "Several people are typing…";
  }

  agentName(agentId: string): string {
    const agent = this.agents.get(agentId);
    return agent ? agent.name || agent.username : "someone";
  }

  chatTitle(chat: Chat): string {
    if (chat.name) return chat.name;
    if (chat.type === "direct") {
      const other = this.histories.get(chat.id)?.participants.find((p) => p.owner_id !== this.myId);
      return other ? this.agentName(other.owner_id) : "Direct chat";
    }
    return "Untitled chat";
  }

  // ---- actions -------------------------------------------------------------------------------

  async reload(): Promise<void> {
    await this.attempt(async () => {
      const [chats, channels] = await Promise.all([
        this.client.chats.list().toArray(),
        this.client.channels.list().toArray(),
      ]);
      this.chats.clear();
      for (const chat of chats) this.remember(chat);
      this.channels = channels;
      // Direct chats are named after the other agent: know who that is.
      await Promise.all(
        chats.filter((chat) => chat.type === "direct").map((chat) => this.loadParticipants(chat.id)),
      );
      for (const chatId of this.histories.keys()) {
        if (this.chats.has(chatId)) await this.loadHistory(chatId, true);
        else if (!this.gone.has(chatId)) this.histories.delete(chatId);
      }
    });
    void this.sender.flush();
  }

  async refreshChannels(): Promise<void> {
    await this.attempt(async () => {
      this.channels = await this.client.channels.list().toArray();
    });
  }

  async open(chatId: string | undefined): Promise<void> {
    this.update(() => {
      if (this.openChatId && this.openChatId !== chatId) this.gone.delete(this.openChatId);
      this.openChatId = chatId;
      this.threadId = undefined;
    });
    if (!chatId) return;
    if (!this.histories.get(chatId)?.messages.length)
      await this.attempt(() => this.loadHistory(chatId, true));
    this.update(() => this.reads.opened(chatId, this.histories.get(chatId)?.messages ?? []));
    this.markRead(chatId);
    await this.attempt(() => this.loadPins(chatId));
  }

  /** Back to the list (on a phone, where the list and the chat are separate views). */
  close(): void {
    void this.open(undefined);
  }

  openThread(messageId: string | undefined): void {
    this.update(() => (this.threadId = messageId));
  }

  async loadOlder(chatId: string): Promise<void> {
    await this.attempt(() => this.loadHistory(chatId, false));
  }

  /** Sends (or queues, when Talk cannot be reached) a message; the composer is cleared at once. */
  async send(chatId: string, text: string, parentId?: string): Promise<boolean> {
    if (this.uploads.busy(chatId, parentId)) return false;
    const medias = this.uploads.medias(chatId, parentId);
    if (!text.trim() && medias.length === 0) return false;
    this.drafts.set(chatId, "", parentId);
    this.uploads.clear(chatId, parentId);
    await this.sender.send(chatId, text, parentId, medias, this.status !== "offline");
    return true;
  }

  draftOf(chatId: string, parentId?: string): string {
    return this.drafts.get(chatId, parentId);
  }

  setDraft(chatId: string, text: string, parentId?: string): void {
    this.update(() => this.drafts.set(chatId, text, parentId));
  }

  async toggleReaction(message: Message, emoji: string): Promise<void> {
    const mine = message.metadata.reactions.some((r) => r.emoji === emoji && r.owner_id === this.myId);
    await this.attempt(async () => {
      this.upsert(
        await (mine
          ? this.client.messages.unreact(message.id, emoji)
          : this.client.messages.react(message.id, emoji)),
      );
    });
  }

  async editMessage(messageId: string, text: string): Promise<boolean> {
    return this.attempt(async () => this.upsert(await this.client.messages.edit(messageId, { text })));
  }

  /** A message's earlier versions, newest first. */
  versionsOf(messageId: string): Promise<MessageVersion[]> {
    return this.client.messages.history(messageId).toArray();
  }

  async togglePin(message: Message): Promise<void> {
    const pinned = message.tm_pin !== NOT_DELETED;
    await this.attempt(async () => {
      this.upsert(
        await (pinned ? this.client.messages.unpin(message.id) : this.client.messages.pin(message.id)),
      );
      await this.loadPins(message.chat_id);
    });
  }

  async searchMessages(q: string): Promise<void> {
    if (!q.trim()) return this.update(() => (this.search = undefined));
    await this.attempt(async () => {
      const hits = await this.client.messages.search(q, { channels: "all", pageSize: 20 }).toArray(20);
      this.update(() => (this.search = { q, hits }));
    });
  }

  /** Opens the chat of a search hit and shows the message highlighted. */
  async openHit(hit: SearchHit): Promise<void> {
    this.update(() => (this.focusId = hit.message.id));
    await this.open(hit.message.chat_id);
  }

  async loadPins(chatId: string): Promise<void> {
    const pins = await this.client.messages.pins(chatId).toArray();
    this.update(() => this.pins.set(chatId, pins));
  }

  async deleteMessage(messageId: string): Promise<void> {
    await this.attempt(async () => this.upsert(await this.client.messages.delete(messageId)));
  }

  /** My user types in a chat or thread (the SDK sends it at most once per chat per 2 s). */
  typing(chatId: string, parentId?: string): void {
    this.live?.typing(chatId, parentId);
    this.live?.activity();
  }

  /** Sets my status (`online`: automatic again). */
  async setStatus(status: PresenceStatus): Promise<void> {
    await this.attempt(async () => {
      const presence = await this.client.agents.setPresence(status);
      this.presence.set(this.myId, presence.status);
    });
  }

  /** My user did something (keeps me from turning away; the SDK sends it at most every 15 s). */
  active(): void {
    this.live?.activity();
  }

  dismissError(): void {
    this.update(() => (this.error = undefined));
  }

  // ---- live events ---------------------------------------------------------------------------

  private apply(event: RealtimeEvent): void {
    switch (event.type) {
      case "chat_created":
      case "chat_updated":
        this.update(() => this.remember(event.data));
        if (event.data.type === "talk") void this.refreshChannels();
        return;
      case "chat_deleted":
        this.update(() => this.lose(event.data.id, "deleted"));
        void this.refreshChannels();
        return;
      case "chatparticipant_added":
      case "chatparticipant_removed":
        if (event.type === "chatparticipant_removed" && event.data.owner_id === this.myId)
          this.update(() => this.lose(event.chat_id, "removed"));
        else void this.attempt(() => this.refreshChat(event.chat_id));
        return;
      case "chatmessage_created": {
        const message = event.data;
        if (message.owner_id === this.myId) this.sender.settle(message);
        this.upsert(message);
        const open = event.chat_id === this.openChatId && isVisible();
        this.update(() => this.reads.arrived(message, open));
        if (message.owner_id !== this.myId) this.announce(message);
        if (open && message.owner_id !== this.myId) this.markRead(event.chat_id);
        return;
      }
      case "chat_read":
        this.update(() => this.reads.read(event.data));
        return;
      case "chatmessage_deleted":
      case "chatmessage_reaction_updated":
      case "chatmessage_updated":
        this.upsert(event.data);
        return;
      case "chatmessage_pinned":
      case "chatmessage_unpinned":
        this.upsert(event.data);
        if (this.histories.has(event.chat_id)) void this.attempt(() => this.loadPins(event.chat_id));
        return;
    }
  }

  private announce(message: Message): void {
    const chat = this.chats.get(message.chat_id);
    const where = chat ? ` in ${this.chatTitle(chat)}` : "";
    const text = plainText(message.text, (id) => this.agentName(id)).slice(0, 140);
    this.update(() => (this.announcement = `${this.agentName(message.owner_id)}${where}: ${text}`));
  }

  /** Tells the API I have read the chat up to its newest message (soon, once for a burst). */
  private markRead(chatId: string): void {
    clearTimeout(this.markTimer);
    this.markTimer = setTimeout(() => {
      if (!this.chats.has(chatId)) return;
      this.client.chats.markRead(chatId).then(
        (mark) => this.update(() => this.reads.read(mark)),
        () => undefined, // a mark that did not reach Talk is set again by the next one
      );
    }, 300);
  }

  private showTyping(state: TypingState): void {
    const key = `${state.chat_id} ${state.parent_id ?? ""}`;
    const others = state.agent_ids.filter((id) => id !== this.myId);
    if (others.length > 0) this.typists.set(key, others);
    else this.typists.delete(key);
  }

  /** @internal for the store's parts: re-reads a chat and, when shown, its participants. */
  async refreshChat(chatId: string): Promise<void> {
    this.remember(await this.client.chats.get(chatId));
    if (this.histories.has(chatId) || this.chats.get(chatId)?.type === "direct")
      await this.loadParticipants(chatId);
  }

  /** @internal */
  remember(chat: Chat): void {
    this.chats.set(chat.id, chat);
    this.gone.delete(chat.id);
    this.reads.listed(chat);
  }

  /** The chat is no longer mine: if I am looking at it, it stays, saying why (and my draft stays). */
  private lose(chatId: string, why: ChatGone): void {
    const chat = this.chats.get(chatId);
    if (chat && this.openChatId === chatId && !this.dropping.has(chatId))
      this.gone.set(chatId, { chat, why });
    this.forget(chatId);
  }

  /** @internal */
  forget(chatId: string): void {
    this.chats.delete(chatId);
    this.reads.forget(chatId);
    if (this.gone.has(chatId)) return;
    this.histories.delete(chatId);
    if (this.openChatId === chatId) {
      this.openChatId = undefined;
      this.threadId = undefined;
    }
  }

  private upsert(message: Message): void {
    this.update(() => {
      const history = this.histories.get(message.chat_id);
      const seen = this.activity.get(message.chat_id);
      if (!seen || seen < message.tm_create) this.activity.set(message.chat_id, message.tm_create);
      if (!history) return;
      const index = history.messages.findIndex((m) => m.id === message.id);
      if (index >= 0) history.messages[index] = message;
      else history.messages = [...history.messages, message].sort(byTime);
    });
  }

  // ---- loading -------------------------------------------------------------------------------

  private history(chatId: string): History {
    let history = this.histories.get(chatId);
    if (!history) {
      history = { messages: [], olderToken: "", loading: false, participants: [] };
      this.histories.set(chatId, history);
    }
    return history;
  }

  /** The newest page (`fresh`), or the page before the oldest loaded; merged with what live events brought. */
  private async loadHistory(chatId: string, fresh: boolean): Promise<void> {
    const history = this.history(chatId);
    if (!fresh && (!history.olderToken || history.loading)) return;
    this.update(() => (history.loading = true));
    try {
      const [page] = await Promise.all([
        this.client.messages
          .list(chatId, { pageSize: PAGE_SIZE })
          .page(fresh ? undefined : history.olderToken),
        fresh ? this.loadParticipants(chatId) : undefined,
      ]);
      this.update(() => {
        const known = new Map((fresh ? [] : history.messages).map((m) => [m.id, m]));
        for (const message of [...page.result, ...(fresh ? history.messages : [])])
          known.set(message.id, message);
        history.messages = [...known.values()].sort(byTime);
        if (fresh || history.olderToken) history.olderToken = page.next_page_token;
      });
    } finally {
      this.update(() => (history.loading = false));
    }
  }

  private async loadParticipants(chatId: string): Promise<void> {
    const participants = await this.client.participants.list(chatId);
    this.update(() => (this.history(chatId).participants = participants));
  }

  // ---- plumbing ------------------------------------------------------------------------------

  /** Runs an action and shows what it changed; an error becomes the banner. */
  /** @internal */
  async attempt(action: () => Promise<void>): Promise<boolean> {
    try {
      await action();
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    } finally {
      this.update(() => undefined);
    }
  }

  private fail(error: unknown): void {
    if (error instanceof TalkApiError && error.status === "UNAUTHENTICATED") return this.onSessionEnded();
    const text =
      error instanceof TalkApiError
        ? `${error.message} (${error.reason})`
        : error instanceof Error
          ? error.message
          : String(error);
    this.update(() => (this.error = text));
  }

  /** @internal */
  update(change: () => unknown): void {
    change();
    for (const listener of this.listeners) listener();
  }
}

const isVisible = () => typeof document === "undefined" || document.visibilityState === "visible";
