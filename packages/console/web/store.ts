/**
 * What the console knows and does, apart from how it looks: the agent's chats, the customer's
 * channels and agents, the history of each opened chat, kept current by the SDK's real-time
 * subscription, with the agents' presence and who is typing where. Components read it and call its
 * actions; every change notifies them.
 */
import {
  type Agent,
  type Chat,
  type CreateChatRequest,
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

export interface History {
  /** Oldest first, as shown. */
  messages: Message[];
  /** Where older messages start; `""` once the first message is loaded. */
  olderToken: string;
  loading: boolean;
  participants: Participant[];
}

const PAGE_SIZE = 30;
const byTime = (a: Message, b: Message) => a.tm_create.localeCompare(b.tm_create) || a.id.localeCompare(b.id);

export class ConsoleStore {
  me?: Agent;
  readonly agents = new Map<string, Agent>();
  readonly chats = new Map<string, Chat>();
  readonly histories = new Map<string, History>();
  readonly unread = new Set<string>();
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
  openChatId?: string;
  threadId?: string;
  private readonly listeners = new Set<() => void>();
  private live?: RealtimeSubscription;

  constructor(
    readonly client: TalkClient,
    /** Called when the API no longer takes the session's token (it expired): sign in again. */
    private readonly onSessionEnded: () => void = () => undefined,
  ) {}

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
      onStatus: (status) => this.update(() => (this.status = status)),
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
  }

  // ---- reading -------------------------------------------------------------------------------

  /** My chats, most recently active first. */
  chatList(): Chat[] {
    const at = (chat: Chat) => this.activity.get(chat.id) ?? chat.tm_update;
    return [...this.chats.values()].sort((a, b) => at(b).localeCompare(at(a)));
  }

  /** Public channels I have not joined yet. */
  joinableChannels(): Chat[] {
    return this.channels.filter((channel) => !this.chats.has(channel.id));
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
      for (const chat of chats) this.chats.set(chat.id, chat);
      this.channels = channels;
      // Direct chats are named after the other agent: know who that is.
      await Promise.all(
        chats.filter((chat) => chat.type === "direct").map((chat) => this.loadParticipants(chat.id)),
      );
      for (const chatId of this.histories.keys()) {
        if (this.chats.has(chatId)) await this.loadHistory(chatId, true);
        else this.histories.delete(chatId);
      }
    });
  }

  async refreshChannels(): Promise<void> {
    await this.attempt(async () => {
      this.channels = await this.client.channels.list().toArray();
    });
  }

  async open(chatId: string | undefined): Promise<void> {
    this.update(() => {
      this.openChatId = chatId;
      this.threadId = undefined;
      if (chatId) this.unread.delete(chatId);
    });
    if (chatId && !this.histories.get(chatId)?.messages.length)
      await this.attempt(() => this.loadHistory(chatId, true));
    if (chatId) await this.attempt(() => this.loadPins(chatId));
  }

  openThread(messageId: string | undefined): void {
    this.update(() => (this.threadId = messageId));
  }

  async loadOlder(chatId: string): Promise<void> {
    await this.attempt(() => this.loadHistory(chatId, false));
  }

  async createChat(request: CreateChatRequest): Promise<void> {
    await this.attempt(async () => {
      const chat = await this.client.chats.create(request);
      this.chats.set(chat.id, chat);
      if (chat.type === "talk") await this.refreshChannels();
      await this.open(chat.id);
    });
  }

  async join(chatId: string): Promise<void> {
    await this.attempt(async () => {
      await this.client.chats.join(chatId);
      this.chats.set(chatId, await this.client.chats.get(chatId));
      await this.open(chatId);
    });
  }

  async addParticipant(chatId: string, agentId: string): Promise<void> {
    await this.attempt(async () => {
      await this.client.participants.add(chatId, agentId);
      await this.loadParticipants(chatId);
    });
  }

  async send(chatId: string, text: string, parentId?: string): Promise<boolean> {
    return this.attempt(async () => {
      const message = await this.client.messages.send({
        chat_id: chatId,
        text,
        ...(parentId ? { parent_id: parentId } : {}),
      });
      this.upsert(message);
    });
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
    const pinned = message.tm_pin !== "9999-01-01 00:00:00.000000";
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
        this.update(() => this.chats.set(event.data.id, event.data));
        return;
      case "chat_deleted":
        this.update(() => this.forget(event.data.id));
        return;
      case "chatparticipant_added":
      case "chatparticipant_removed":
        if (event.type === "chatparticipant_removed" && event.data.owner_id === this.myId)
          this.update(() => this.forget(event.chat_id));
        else void this.attempt(() => this.refreshChat(event.chat_id));
        return;
      case "chatmessage_created":
        this.upsert(event.data);
        if (event.chat_id !== this.openChatId && event.data.owner_id !== this.myId)
          this.update(() => this.unread.add(event.chat_id));
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

  private showTyping(state: TypingState): void {
    const key = `${state.chat_id} ${state.parent_id ?? ""}`;
    const others = state.agent_ids.filter((id) => id !== this.myId);
    if (others.length > 0) this.typists.set(key, others);
    else this.typists.delete(key);
  }

  private async refreshChat(chatId: string): Promise<void> {
    this.chats.set(chatId, await this.client.chats.get(chatId));
    if (this.histories.has(chatId) || this.chats.get(chatId)?.type === "direct")
      await this.loadParticipants(chatId);
  }

  private forget(chatId: string): void {
    this.chats.delete(chatId);
    this.histories.delete(chatId);
    this.unread.delete(chatId);
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
    if (!fresh && !history.olderToken) return;
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
  private async attempt(action: () => Promise<void>): Promise<boolean> {
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

  private update(change: () => unknown): void {
    change();
    for (const listener of this.listeners) listener();
  }
}
