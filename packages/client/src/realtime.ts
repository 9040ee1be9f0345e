/**
 * The real-time client: one WebSocket to `/v1.0/ws`, subscribed to topics, that never lets an
 * application miss an event. It remembers the cursor of the last frame, and when the connection
 * drops (a push restart, a network blip, a slow-consumer close) it reconnects with jittered
 * exponential backoff, resumes from that cursor and subscribes again. Events are deduplicated by
 * (chat, seq), so a replayed event is never handed out twice. When the service cannot replay what
 * was missed it says `resync_required`, and so does this client: re-read from the REST API.
 *
 * Like centrifuge-js, it does not trust a quiet connection: it sends an application-level `ping`
 * every `pingIntervalMs` and gives the connection up when no `pong` comes back within
 * `pongTimeoutMs` (a half-open TCP connection, a stalled proxy, a replica that stopped delivering),
 * then resumes elsewhere from its cursor. In a browser it follows `offline` / `online`: it lets go
 * of the connection when the network goes away and reconnects at once when it returns.
 *
 * Presence and typing ride on the same connection: `agent_presence` frames (subscribe to
 * `customer_id:<customer>:presence`) keep `presenceOf()` current and call `onPresence`; `typing()`
 * sends typing frames at the protocol's rate (one per chat per 2 s, the rest not sent), incoming
 * ones call `onTyping` with who types where, cleared after 5 s or at once when that agent's message
 * arrives; `activity()` reports the user's activity (at most once per 15 s).
 */
import type { EventFrame, Presence, ServerFrame } from "@talk/contracts";
import { TalkApiError, TalkConnectionError } from "./errors";
import { readToken } from "./token";
import { SendThrottle, TYPING_RELAY_INTERVAL_MS, TypingBoard, type TypingState } from "./typing-board";

/** `activity` frames are sent at most this often (idleness is counted in minutes). */
const ACTIVITY_INTERVAL_MS = 15_000;

/** What the client needs of a WebSocket: the browser's and the `ws` package's both fit. */
export interface WebSocketEventLike {
  type?: string;
  data?: unknown;
  code?: number;
  reason?: string;
  message?: string;
  error?: unknown;
}

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: "open" | "message" | "close" | "error",
    listener: (event: WebSocketEventLike) => void,
  ): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** An event as delivered: the server's frame (`type`, `data`, `topic`, `seq`, `cursor`) and its chat. */
export type RealtimeEvent = EventFrame & { chat_id: string };

/** Told when events were lost beyond replay: re-read what you show from the REST API. */
export interface ResyncNotice {
  type: "resync_required";
  reason: string;
  message: string;
  cursor: string;
}

export type RealtimeStatus = "connecting" | "live" | "reconnecting" | "offline" | "closed";

/** Where `offline` and `online` events come from: the browser's `window`. */
export interface NetworkEvents {
  addEventListener(type: "online" | "offline", listener: () => void): void;
  removeEventListener(type: "online" | "offline", listener: () => void): void;
}

export interface RealtimeOptions {
  /** Topics to subscribe to; by default `agent_id:<me>:chat` (every chat I am in). */
  topics?: string[];
  /** Resume from here (a `cursor` of an earlier event); the live edge by default. */
  cursor?: string;
  /**
   * Where the WebSocket is served when not on the API's origin (e.g. push replicas of a distributed
   * stack): a base URL, or several that reconnections go round.
   */
  url?: string | string[];
  /** Called with each event; without it, iterate the subscription (`for await`) instead. */
  onEvent?: (event: RealtimeEvent) => void;
  onResync?: (notice: ResyncNotice) => void;
  onStatus?: (status: RealtimeStatus) => void;
  /** An agent's presence changed (with a `customer_id:<customer>:presence` topic). */
  onPresence?: (presence: Presence) => void;
  /** Who types in a chat (or a thread of it) changed: started, renewed, ran out, or their message came. */
  onTyping?: (state: TypingState) => void;
  /** A topic refused (a `TalkApiError` saying why), a handler that threw, a failed connection attempt. */
  onError?: (error: Error) => void;
  /** Backoff between reconnections: from `initialDelayMs` (default 250) doubling to `maxDelayMs` (default 10 000), jittered. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** How often to check that the connection still delivers, with a `ping` (default 25 000; 0: never). */
  pingIntervalMs?: number;
  /** How long a `pong` may take before the connection is given up and resumed (default 10 000). */
  pongTimeoutMs?: number;
  /** `offline` / `online` events to follow: the browser's by default (none in Node.js); `null`: none. */
  network?: NetworkEvents | null;
  WebSocket?: WebSocketConstructor;
}

export interface RealtimeSettings extends RealtimeOptions {
  baseUrl: string;
  token: () => string;
  renewToken?: () => Promise<boolean>;
  defaultTopics: string[];
}

interface Pending {
  type: "subscribe" | "unsubscribe";
  topics: string[];
  /** Sent by the client itself on (re)connecting, rather than by a `subscribe()` call. */
  internal: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}
type Item = RealtimeEvent | ResyncNotice;

const OPEN = 1;

export class RealtimeSubscription implements AsyncIterable<Item> {
  /** Resolves when the first subscription is acknowledged (the stream is live). */
  readonly ready: Promise<void>;
  /** The topics wanted, and those the current connection has acknowledged. */
  private readonly topics: Set<string>;
  private readonly confirmed = new Set<string>();
  private readonly urls: string[];
  private urlIndex = 0;
  private readonly lastSeq = new Map<string, number>();
  private readonly pending = new Map<number, Pending>();
  private readonly WebSocket: WebSocketConstructor;
  private socket?: WebSocketLike;
  private currentCursor?: string;
  private nextId = 1;
  private attempt = 0;
  private closed = false;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private pingTimer?: ReturnType<typeof setInterval>;
  private pongDeadline?: ReturnType<typeof setTimeout>;
  private pings = 0;
  private offline = false;
  private readonly network?: NetworkEvents;
  private markReady!: () => void;
  private failReady!: (error: Error) => void;
  private buffer?: Item[];
  private waiters: ((result: IteratorResult<Item>) => void)[] = [];
  private readonly presence = new Map<string, Presence>();
  private readonly board = new TypingBoard();
  private readonly typingThrottle = new SendThrottle(TYPING_RELAY_INTERVAL_MS);
  private readonly activityThrottle = new SendThrottle(ACTIVITY_INTERVAL_MS);
  private typingTimer?: ReturnType<typeof setTimeout>;

  constructor(private readonly settings: RealtimeSettings) {
    this.topics = new Set(settings.topics ?? settings.defaultTopics);
    this.currentCursor = settings.cursor;
    const platform = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    const WebSocket = settings.WebSocket ?? platform;
    if (!WebSocket)
      throw new Error(
        'No WebSocket on this platform: pass one as the `WebSocket` option (in Node: `import WebSocket from "ws"`), or import from "@talk/client/node".',
      );
    this.WebSocket = WebSocket;
    const urls = typeof settings.url === "string" ? [settings.url] : (settings.url ?? []);
    this.urls = urls.length > 0 ? urls : [settings.baseUrl];
    this.ready = new Promise((resolve, reject) => {
      this.markReady = resolve;
      this.failReady = reject;
    });
    this.ready.catch(() => undefined); // awaiting it is optional
    // Without a callback the subscription is for iterating: keep what arrives until the loop asks.
    if (!settings.onEvent) this.buffer = [];
    this.network = settings.network === undefined ? browserNetwork() : (settings.network ?? undefined);
    this.network?.addEventListener("offline", this.wentOffline);
    this.network?.addEventListener("online", this.cameOnline);
    this.connect();
  }

  /** The cursor of the last frame received: reconnecting with it misses nothing and repeats nothing. */
  get cursor(): string | undefined {
    return this.currentCursor;
  }

  /** The topics this subscription keeps subscribed across reconnections. */
  get subscribedTopics(): string[] {
    return [...this.topics];
  }

  /** Adds topics (resolves once acknowledged; rejects with the server's reason when refused). */
  subscribe(topics: string[]): Promise<void> {
    for (const topic of topics) this.topics.add(topic);
    return this.send("subscribe", topics, false);
  }

  unsubscribe(topics: string[]): Promise<void> {
    for (const topic of topics) this.topics.delete(topic);
    return this.send("unsubscribe", topics, false);
  }

  /**
   * Says that my agent types in a chat (or a thread: `parentId` is its root message). Call it on
   * every keystroke: a frame goes out at most once per chat per 2 s. False when nothing was sent.
   */
  typing(chatId: string, parentId?: string): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN || !this.typingThrottle.pass(chatId, Date.now())) return false;
    socket.send(
      JSON.stringify({ type: "typing", chat_id: chatId, ...(parentId ? { parent_id: parentId } : {}) }),
    );
    return true;
  }

  /** Says that my user did something (keeps my agent from turning `away`); at most once per 15 s. */
  activity(): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN || !this.activityThrottle.pass("activity", Date.now()))
      return false;
    socket.send(JSON.stringify({ type: "activity" }));
    return true;
  }

  /** The agents typing in a chat now (`parentId`: in that thread). */
  typingIn(chatId: string, parentId?: string): string[] {
    return this.board.typing(chatId, parentId ?? null, Date.now());
  }

  /** An agent's presence as last announced on this connection (read `GET /agents` for a start). */
  presenceOf(agentId: string): Presence | undefined {
    return this.presence.get(agentId);
  }

  /** Stops for good: closes the socket, ends iteration. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.typingTimer);
    this.stopWatching();
    this.network?.removeEventListener("offline", this.wentOffline);
    this.network?.removeEventListener("online", this.cameOnline);
    this.socket?.close(1000, "closed by the client");
    this.socket = undefined;
    this.failPending(new TalkConnectionError("The real-time subscription was closed."));
    for (const waiter of this.waiters.splice(0)) waiter({ done: true, value: undefined });
    this.settings.onStatus?.("closed");
  }

  /**
   * Events (and resync notices) until `close()` or `break`: every one since the subscription was
   * made when it has no `onEvent` callback, else those from the moment iteration starts.
   */
  [Symbol.asyncIterator](): AsyncIterator<Item> {
    this.buffer ??= [];
    return {
      next: () => {
        const item = this.buffer?.shift();
        if (item) return Promise.resolve({ done: false, value: item });
        if (this.closed) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve) => this.waiters.push(resolve));
      },
      return: () => {
        this.close();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  private connect(): void {
    if (this.closed || this.offline) return;
    if (this.attempt === 0) this.settings.onStatus?.("connecting");
    const params = new URLSearchParams({ token: this.settings.token() });
    if (this.currentCursor) params.set("cursor", this.currentCursor);
    let socket: WebSocketLike;
    try {
      socket = new this.WebSocket(
        `${socketOrigin(this.urls[this.urlIndex % this.urls.length])}/v1.0/ws?${params}`,
      );
    } catch (error) {
      this.report(new TalkConnectionError("Could not open the WebSocket.", error));
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (this.socket !== socket) return;
      this.confirmed.clear();
      this.watch(socket);
      if (this.topics.size > 0) void this.send("subscribe", [...this.topics], true).catch(() => undefined);
    });
    socket.addEventListener("message", (event) => {
      if (this.socket === socket) this.receive(event.data);
    });
    socket.addEventListener("error", (event) => {
      if (this.socket === socket)
        this.report(
          new TalkConnectionError(`WebSocket error: ${event.message ?? "connection failed"}`, event.error),
        );
    });
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.letGo(socket, new TalkConnectionError("The WebSocket closed before the server answered."));
      this.scheduleReconnect();
    });
  }

  /** Forgets a connection (its later events are ignored): what was waiting for an answer fails. */
  private letGo(socket: WebSocketLike, error: TalkConnectionError): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.stopWatching();
    this.failPending(error);
  }

  /** Pings the connection every interval, one ping outstanding at a time, each with a deadline. */
  private watch(socket: WebSocketLike): void {
    this.stopWatching();
    const interval = this.settings.pingIntervalMs ?? 25_000;
    if (interval <= 0) return;
    this.pingTimer = setInterval(() => {
      if (this.socket !== socket || socket.readyState !== OPEN || this.pongDeadline) return;
      socket.send(JSON.stringify({ type: "ping", id: `ping-${++this.pings}` }));
      const timeout = this.settings.pongTimeoutMs ?? 10_000;
      this.pongDeadline = setTimeout(() => this.unresponsive(socket, timeout), timeout);
    }, interval);
  }

  private stopWatching(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongDeadline);
    this.pingTimer = undefined;
    this.pongDeadline = undefined;
  }

  /** No pong in time: the connection does not deliver. Give it up and resume from the cursor. */
  private unresponsive(socket: WebSocketLike, timeout: number): void {
    if (this.socket !== socket) return;
    const error = new TalkConnectionError(`The WebSocket did not answer a ping within ${timeout} ms.`);
    this.letGo(socket, error);
    this.report(error);
    socket.close(4000, "no pong");
    this.scheduleReconnect();
  }

  private readonly wentOffline = (): void => {
    if (this.closed || this.offline) return;
    this.offline = true;
    clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    if (socket) {
      this.letGo(socket, new TalkConnectionError("The browser went offline."));
      socket.close(1000, "offline");
    }
    this.settings.onStatus?.("offline");
  };

  private readonly cameOnline = (): void => {
    if (this.closed || !this.offline) return;
    this.offline = false;
    this.attempt = 0;
    this.connect();
  };

  private scheduleReconnect(): void {
    if (this.closed || this.offline) return;
    this.attempt++;
    this.urlIndex++;
    const initial = this.settings.initialDelayMs ?? 250;
    const ceiling = Math.min(this.settings.maxDelayMs ?? 10_000, initial * 2 ** (this.attempt - 1));
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    this.settings.onStatus?.("reconnecting");
    this.reconnectTimer = setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    if (this.settings.renewToken && tokenExpired(this.settings.token())) await this.settings.renewToken();
    this.connect();
  }

  private send(type: "subscribe" | "unsubscribe", topics: string[], internal: boolean): Promise<void> {
    const socket = this.socket;
    // Not connected: the topics are (un)subscribed when the connection opens.
    if (!socket || socket.readyState !== OPEN || topics.length === 0) return Promise.resolve();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { type, topics, internal, resolve, reject });
      socket.send(JSON.stringify({ type, topics, id }));
    });
  }

  private receive(data: unknown): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data)) as ServerFrame;
    } catch {
      this.report(new TalkConnectionError("The server sent a frame that is not JSON."));
      return;
    }
    switch (frame.type) {
      case "subscribed":
        // A fresh connection's place in the stream; a resumed one keeps the cursor it resumed from.
        this.currentCursor ??= frame.cursor;
        this.attempt = 0;
        for (const topic of frame.topics) this.confirmed.add(topic);
        this.take(frame.id)?.resolve();
        this.settings.onStatus?.("live");
        this.markReady();
        return;
      case "unsubscribed":
        for (const topic of frame.topics) this.confirmed.delete(topic);
        this.take(frame.id)?.resolve();
        return;
      case "error":
        this.refused(TalkApiError.fromBody(frame.error), frame.topic, this.take(frame.id));
        return;
      case "pong":
        clearTimeout(this.pongDeadline);
        this.pongDeadline = undefined;
        return;
      case "resync_required": {
        this.currentCursor = frame.cursor;
        const notice: ResyncNotice = {
          type: "resync_required",
          reason: frame.reason,
          message: frame.message,
          cursor: frame.cursor,
        };
        this.deliver(notice, () => this.settings.onResync?.(notice));
        return;
      }
      case "agent_presence":
        this.presence.set(frame.data.agent_id, frame.data);
        this.call(() => this.settings.onPresence?.(frame.data));
        return;
      case "typing": {
        const { chat_id, parent_id, agent_id } = frame.data;
        this.typingChanged([this.board.typed(chat_id, parent_id, agent_id, Date.now())]);
        return;
      }
      default:
        this.receiveEvent(frame);
    }
  }

  /** Tells who types where, and wakes up when the next indicator runs out. */
  private typingChanged(states: TypingState[]): void {
    for (const state of states) this.call(() => this.settings.onTyping?.(state));
    clearTimeout(this.typingTimer);
    const next = this.board.nextExpiry();
    if (next === undefined || this.closed) return;
    this.typingTimer = setTimeout(
      () => this.typingChanged(this.board.expire(Date.now())),
      Math.max(0, next - Date.now()),
    );
  }

  private call(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.report(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private receiveEvent(frame: EventFrame): void {
    this.currentCursor = frame.cursor;
    const chatId = chatIdOf(frame);
    if ((this.lastSeq.get(chatId) ?? 0) >= frame.seq) return;
    this.lastSeq.set(chatId, frame.seq);
    const event = { ...frame, chat_id: chatId } as RealtimeEvent;
    if (frame.type === "chatmessage_created")
      this.typingChanged(this.board.messageArrived(chatId, frame.data.owner_id, Date.now()));
    this.deliver(event, () => this.settings.onEvent?.(event));
  }

  private deliver(item: Item, callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.report(error instanceof Error ? error : new Error(String(error)));
    }
    if (!this.buffer) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter({ done: false, value: item });
    else this.buffer.push(item);
  }

  private take(id: string | number | undefined): Pending | undefined {
    if (typeof id !== "number") return undefined;
    const pending = this.pending.get(id);
    this.pending.delete(id);
    return pending;
  }

  /**
   * A frame was refused. A subscription is all or nothing: when the client's own (re)subscription
   * is refused for one topic, that topic is dropped (and reported) and the others are subscribed
   * again; when the service is only unavailable for a moment, the client reconnects later.
   */
  private refused(error: TalkApiError, topic: string | undefined, pending: Pending | undefined): void {
    this.report(error);
    if (!pending) return;
    pending.reject(error);
    if (pending.type !== "subscribe") return;
    if (!pending.internal) {
      for (const wanted of pending.topics) if (!this.confirmed.has(wanted)) this.topics.delete(wanted);
      return;
    }
    if (error.status === "UNAVAILABLE") {
      this.socket?.close(1000, "subscription unavailable: reconnecting");
      return;
    }
    if (topic && this.topics.delete(topic) && this.topics.size > 0) {
      void this.send("subscribe", [...this.topics], true).catch(() => undefined);
      return;
    }
    if (this.confirmed.size === 0) this.failReady(error);
  }

  private failPending(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  private report(error: Error): void {
    try {
      this.settings.onError?.(error);
    } catch {
      // an error handler that throws has nowhere else to report to
    }
  }
}

/** The chat an event belongs to: a chat event's resource is the chat, the others name it. */
function chatIdOf(frame: EventFrame): string {
  switch (frame.type) {
    case "chat_created":
    case "chat_updated":
    case "chat_deleted":
      return frame.data.id;
    default:
      return frame.data.chat_id;
  }
}

/** The browser's `window`, when this runs in one (it says whether it is online). */
function browserNetwork(): NetworkEvents | undefined {
  const global = globalThis as Partial<NetworkEvents> & { navigator?: { onLine?: unknown } };
  return typeof global.addEventListener === "function" &&
    typeof global.removeEventListener === "function" &&
    typeof global.navigator?.onLine === "boolean"
    ? (global as NetworkEvents)
    : undefined;
}

function socketOrigin(baseUrl: string): string {
  const origin = baseUrl || (globalThis as { location?: { origin: string } }).location?.origin;
  if (!origin)
    throw new Error("No base URL to connect to: pass the API's origin, e.g. http://localhost:8080.");
  return origin.replace(/^http/, "ws");
}

function tokenExpired(token: string): boolean {
  try {
    const { expiresAt } = readToken(token);
    return expiresAt !== undefined && expiresAt <= Date.now() + 5_000;
  } catch {
    return false;
  }
}
