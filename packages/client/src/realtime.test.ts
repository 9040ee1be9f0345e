/**
 * The real-time client against a scripted WebSocket: what it sends, how it reconnects and resumes,
 * and what it hands the application. (The same against a real push service: test/realtime*.test.ts.)
 */
import type { EventFrame, Message } from "@talk/contracts";
import { TalkClient } from "./client";
import { TalkApiError } from "./errors";
import {
  type RealtimeEvent,
  RealtimeSubscription,
  type ResyncNotice,
  type WebSocketEventLike,
  type WebSocketLike,
} from "./realtime";

type Listener = (event: WebSocketEventLike) => void;

function fakeSockets() {
  const sockets: FakeSocket[] = [];
  class FakeSocket implements WebSocketLike {
    readyState = 0;
    readonly sent: { type: string; topics: string[]; id: number | string }[] = [];
    private readonly listeners = new Map<string, Listener[]>();
    constructor(readonly url: string) {
      sockets.push(this);
    }
    addEventListener(type: string, listener: Listener): void {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
    }
    send(data: string): void {
      this.sent.push(JSON.parse(data));
    }
    close(code = 1000): void {
      this.drop(code);
    }
    // what the server (or the network) does
    open(): void {
      this.readyState = 1;
      this.emit("open", {});
    }
    receive(frame: object): void {
      this.emit("message", { data: JSON.stringify(frame) });
    }
    ack(cursor = "c0"): void {
      const last = this.sent.filter((frame) => frame.type !== "ping").at(-1);
      if (last) this.receive({ type: "subscribed", topics: last.topics, cursor, id: last.id });
    }
    drop(code = 1006): void {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.emit("close", { code, reason: "" });
    }
    private emit(type: string, event: WebSocketEventLike): void {
      for (const listener of this.listeners.get(type) ?? []) listener(event);
    }
  }
  return { FakeSocket, sockets, last: () => sockets[sockets.length - 1] };
}

const CHAT = "11111111-1111-4111-8111-111111111111";
const message = (text: string): Message => ({
  id: `${text}-id`,
  customer_id: "c",
  owner_type: "agent",
  owner_id: "a",
  chat_id: CHAT,
  type: "normal",
  text,
  medias: [],
  metadata: { reactions: [] },
  tm_create: "2026-01-01 00:00:00.000000",
  tm_update: "2026-01-01 00:00:00.000000",
  tm_delete: "9999-01-01 00:00:00.000000",
  tm_edit: "9999-01-01 00:00:00.000000",
  pinned_by: "",
  tm_pin: "9999-01-01 00:00:00.000000",
  mentions: [],
});
const created = (seq: number, text: string): EventFrame => ({
  type: "chatmessage_created",
  data: message(text),
  topic: "agent_id:a:chat",
  seq,
  cursor: `cursor-${seq}`,
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

function subscription(options: Partial<ConstructorParameters<typeof RealtimeSubscription>[0]> = {}) {
  const fake = fakeSockets();
  const events: RealtimeEvent[] = [];
  const notices: ResyncNotice[] = [];
  const errors: Error[] = [];
  const live = new RealtimeSubscription({
    baseUrl: "http://talk.test",
    token: () => "the-token",
    defaultTopics: ["agent_id:a:chat"],
    initialDelayMs: 1,
    maxDelayMs: 5,
    WebSocket: fake.FakeSocket,
    onEvent: (event) => events.push(event),
    onResync: (notice) => notices.push(notice),
    onError: (error) => errors.push(error),
    ...options,
  });
  return { ...fake, live, events, notices, errors };
}

describe("the real-time client", () => {
  it("connects with the token, subscribes, and is ready once acknowledged", async () => {
    const { live, last } = subscription();
    expect(last().url).toBe("ws://talk.test/v1.0/ws?token=the-token");
    last().open();
    expect(last().sent).toEqual([{ type: "subscribe", topics: ["agent_id:a:chat"], id: 1 }]);
    last().ack("c0");
    await live.ready;
    expect(live.cursor).toBe("c0");
    live.close();
  });

  it("hands out each event once, with its chat, and remembers the cursor of the last", () => {
    const { live, last, events } = subscription();
    last().open();
    last().ack();
    for (const frame of [created(1, "a"), created(2, "b"), created(2, "b"), created(1, "a"), created(3, "c")])
      last().receive(frame);
    expect(events.map((e) => [e.chat_id, e.seq, e.type])).toEqual([
      [CHAT, 1, "chatmessage_created"],
      [CHAT, 2, "chatmessage_created"],
      [CHAT, 3, "chatmessage_created"],
    ]);
    expect(live.cursor).toBe("cursor-3");
    live.close();
  });

  it("reconnects after a drop with its last cursor and subscribes again, skipping what it already had", async () => {
    const statuses: string[] = [];
    const { live, last, sockets, events } = subscription({ onStatus: (status) => statuses.push(status) });
    last().open();
    last().ack();
    last().receive(created(1, "a"));
    last().drop(1012);
    await until(() => sockets.length === 2, "a reconnection");
    expect(last().url).toBe("ws://talk.test/v1.0/ws?token=the-token&cursor=cursor-1");
    last().open();
    expect(last().sent).toEqual([{ type: "subscribe", topics: ["agent_id:a:chat"], id: 2 }]);
    last().ack("cursor-1");
    expect(live.cursor).toBe("cursor-1");
    last().receive(created(1, "a"));
    last().receive(created(2, "b"));
    expect(events.map((e) => e.data)).toEqual([message("a"), message("b")]);
    expect(statuses).toEqual(["connecting", "live", "reconnecting", "live"]);
    live.close();
  });

  it("goes round several URLs when reconnecting", async () => {
    const { live, last, sockets } = subscription({ url: ["http://push-1.test", "https://push-2.test"] });
    expect(last().url).toMatch(/^ws:\/\/push-1\.test\/v1\.0\/ws\?/);
    last().drop();
    await until(() => sockets.length === 2, "a reconnection");
    expect(last().url).toMatch(/^wss:\/\/push-2\.test\/v1\.0\/ws\?/);
    live.close();
  });

  it("passes a resync notice on, and goes on from its cursor", () => {
    const { live, last, notices } = subscription();
    last().open();
    last().ack();
    last().receive({ type: "resync_required", reason: "CURSOR_EXPIRED", message: "reload", cursor: "head" });
    expect(notices).toEqual([
      { type: "resync_required", reason: "CURSOR_EXPIRED", message: "reload", cursor: "head" },
    ]);
    expect(live.cursor).toBe("head");
    live.close();
  });

  it("drops a refused topic of its own subscription, says why, and subscribes the others", async () => {
    const { live, last, errors } = subscription({ topics: ["agent_id:a:chat", "customer_id:c:chat"] });
    last().open();
    const error = { status: "PERMISSION_DENIED", reason: "ADMIN_ONLY", message: "admins only" };
    last().receive({ type: "error", error, topic: "customer_id:c:chat", id: 1 });
    expect(last().sent.at(-1)).toEqual({ type: "subscribe", topics: ["agent_id:a:chat"], id: 2 });
    expect(errors[0]).toBeInstanceOf(TalkApiError);
    expect(errors[0]).toMatchObject({ reason: "ADMIN_ONLY", httpStatus: 403 });
    last().ack();
    await live.ready;
    expect(live.subscribedTopics).toEqual(["agent_id:a:chat"]);
    live.close();
  });

  it("rejects a refused subscribe() with the reason, keeping the topics it had", async () => {
    const { live, last } = subscription();
    last().open();
    last().ack();
    const refused = live.subscribe(["agent_id:b:chat"]);
    last().receive({
      type: "error",
      error: { status: "PERMISSION_DENIED", reason: "TOPIC_FORBIDDEN", message: "not yours" },
      topic: "agent_id:b:chat",
      id: 2,
    });
    await expect(refused).rejects.toMatchObject({ reason: "TOPIC_FORBIDDEN" });
    expect(live.subscribedTopics).toEqual(["agent_id:a:chat"]);
    live.close();
  });

  it("can be iterated with for await, and stops when the loop does", async () => {
    const { live, last } = subscription();
    last().open();
    last().ack();
    const seen: number[] = [];
    const loop = (async () => {
      for await (const item of live) {
        if (item.type === "resync_required") continue;
        seen.push(item.seq);
        if (seen.length === 2) break;
      }
    })();
    last().receive(created(1, "a"));
    last().receive(created(2, "b"));
    await loop;
    expect(seen).toEqual([1, 2]);
    expect(last().readyState).toBe(3);
  });

  it("subscribes a client to every chat of its agent by default", () => {
    const payload = Buffer.from(
      JSON.stringify({ sub: "agent-1", customer_id: "customer-1", username: "ann", permission: "agent" }),
    ).toString("base64url");
    const fake = fakeSockets();
    const client = new TalkClient({
      baseUrl: "https://talk.test/v1.0",
      token: `h.${payload}.s`,
      WebSocket: fake.FakeSocket,
    });
    const live = client.realtime();
    fake.last().open();
    expect(fake.last().url).toMatch(/^wss:\/\/talk\.test\/v1\.0\/ws\?token=h\./);
    expect(fake.last().sent[0].topics).toEqual(["agent_id:agent-1:chat"]);
    live.close();
  });

  describe("liveness", () => {
    const pingsOf = (socket: { sent: { type: string; id: number | string }[] }) =>
      socket.sent.filter((frame) => frame.type === "ping");

    it("gives up a connection that does not answer its ping in time, and resumes from its cursor", async () => {
      const statuses: string[] = [];
      const { live, last, sockets, errors } = subscription({
        pingIntervalMs: 10,
        pongTimeoutMs: 30,
        onStatus: (status) => statuses.push(status),
      });
      const first = last();
      first.open();
      first.ack();
      first.receive(created(1, "a"));
      await until(() => pingsOf(first).length === 1, "a ping");
      expect(pingsOf(first)[0]).toEqual({ type: "ping", id: expect.stringMatching(/^ping-\d+$/) });
      await until(() => sockets.length === 2, "a reconnection after the missing pong");
      expect(first.readyState).toBe(3);
      expect(pingsOf(first)).toHaveLength(1); // one ping outstanding at a time
      expect(errors.map((e) => e.message)).toContain("The WebSocket did not answer a ping within 30 ms.");
      expect(last().url).toBe("ws://talk.test/v1.0/ws?token=the-token&cursor=cursor-1");
      expect(statuses).toEqual(["connecting", "live", "reconnecting"]);
      live.close();
    });

    it("keeps a connection that answers its pings", async () => {
      const { live, last, sockets } = subscription({ pingIntervalMs: 5, pongTimeoutMs: 40 });
      last().open();
      last().ack();
      let answered = 0;
      await until(() => {
        for (const ping of pingsOf(last()).slice(answered)) {
          last().receive({ type: "pong", id: ping.id });
          answered++;
        }
        return answered >= 5;
      }, "five pings answered");
      expect(sockets).toHaveLength(1);
      expect(last().readyState).toBe(1);
      live.close();
    });

    it("lets go when the browser goes offline, waits, and reconnects from its cursor at once when it is back", () => {
      const network = new EventTarget();
      const statuses: string[] = [];
      const { live, last, sockets } = subscription({
        network,
        initialDelayMs: 60_000,
        onStatus: (status) => statuses.push(status),
      });
      last().open();
      last().ack();
      last().receive(created(1, "a"));
      network.dispatchEvent(new Event("offline"));
      expect(sockets[0].readyState).toBe(3);
      expect(sockets).toHaveLength(1);
      network.dispatchEvent(new Event("online"));
      expect(sockets).toHaveLength(2); // at once, not after the (here one-minute) backoff
      expect(last().url).toBe("ws://talk.test/v1.0/ws?token=the-token&cursor=cursor-1");
      expect(statuses).toEqual(["connecting", "live", "offline", "connecting"]);
      live.close();
      network.dispatchEvent(new Event("online"));
      expect(sockets).toHaveLength(2); // closed: no longer listening
    });
  });
});
