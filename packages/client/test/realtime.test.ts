/**
 * The SDK's real-time client against the embedded system's push service: typed events of my
 * chats, in order; a refused topic with its reason; and a connection cut by the network (the
 * socket killed, reconnections failing for a while) that resumes from its cursor with nothing
 * missed and nothing twice.
 */
import WebSocket from "ws";
import {
  newCustomer,
  startEmbeddedStack,
  type TestAgent,
  type TestStack,
  useStack,
} from "../../../test/support/stacks";
import {
  type RealtimeEvent,
  type RealtimeOptions,
  type RealtimeStatus,
  type RealtimeSubscription,
  TalkClient,
  type TypingState,
  type WebSocketConstructor,
  type WebSocketLike,
} from "../src/node";

type Listener = Parameters<WebSocketLike["addEventListener"]>[1];

const current = useStack(startEmbeddedStack);

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `ws`, with a switch for the network: while it is down, sockets are cut and new ones fail. */
function flakyNetwork() {
  const sockets: WebSocket[] = [];
  const network = { up: true };
  class FlakyWebSocket extends WebSocket {
    constructor(url: string) {
      if (!network.up) throw new Error("network is down");
      super(url);
      sockets.push(this);
    }
  }
  return {
    WebSocket: FlakyWebSocket as WebSocketConstructor,
    down() {
      network.up = false;
      for (const socket of sockets) socket.terminate();
    },
    up() {
      network.up = true;
    },
    connections: () => sockets.length,
  };
}

describe("the SDK's real-time client (embedded)", () => {
  let stack: TestStack;
  let agents: TestAgent[];
  let alice: TalkClient, bob: TalkClient;
  const opened: RealtimeSubscription[] = [];
  const realtime = (client: TalkClient, options?: RealtimeOptions) => {
    const live = client.realtime(options);
    opened.push(live);
    return live;
  };

  beforeAll(async () => {
    stack = current();
    ({ agents } = await newCustomer(stack, 3));
    [alice, bob] = agents.map((agent) => new TalkClient({ baseUrl: stack.api.baseUrl, token: agent.token }));
  });
  afterEach(() => {
    for (const live of opened.splice(0)) live.close();
  });

  it("delivers the events of my chats in order, typed, from the moment I am added", async () => {
    const events: RealtimeEvent[] = [];
    const live = realtime(bob, { onEvent: (event) => events.push(event) });
    await live.ready;
    const chat = await alice.chats.create({
      type: "group",
      name: "Live",
      participants: [{ owner_type: "agent", owner_id: bob.identity.agentId }],
    });
    const hello = await alice.messages.send({ chat_id: chat.id, text: "Hello Bob" });
    await bob.messages.react(hello.id, "thumbsup");
    await until(() => events.some((e) => e.type === "chatmessage_reaction_updated"), "the reaction");
    const ofChat = events.filter((e) => e.chat_id === chat.id);
    // From the moment bob is added: the chat, his own addition, his join message, then what follows.
    expect(ofChat.map((e) => e.type)).toEqual([
      "chat_created",
      "chatparticipant_added",
      "chatmessage_created",
      "chatmessage_created",
      "chatmessage_reaction_updated",
    ]);
    const seqs = ofChat.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const created = ofChat.find((e) => e.type === "chatmessage_created" && e.data.id === hello.id);
    expect(created?.data).toEqual(hello);
    expect(created?.topic).toBe(`agent_id:${bob.identity.agentId}:chat`);
    live.close();
  });

  it("follows presence, and sends and shows typing at the protocol's rate, cleared by the typist's message", async () => {
    const customerId = agents[0].customer_id;
    const chat = await alice.chats.create({
      type: "group",
      name: "Typing",
      participants: [{ owner_type: "agent", owner_id: bob.identity.agentId }],
    });
    const presences: string[] = [];
    const typing: TypingState[] = [];
    const watcher = realtime(alice, {
      topics: [`agent_id:${alice.identity.agentId}:chat`, `customer_id:${customerId}:presence`],
      onPresence: (p) =>
        presences.push(`${p.agent_id === bob.identity.agentId ? "bob" : "other"} ${p.status}`),
    });
    await watcher.ready;
    const events: RealtimeEvent[] = [];
    const bobs = realtime(bob, { onTyping: (state) => typing.push(state), onEvent: (e) => events.push(e) });
    await bobs.ready;
    await until(() => presences.includes("bob online"), "bob online");
    expect(watcher.presenceOf(bob.identity.agentId)).toMatchObject({ status: "online", text: "" });
    expect(await alice.agents.presence([bob.identity.agentId])).toEqual([
      expect.objectContaining({ agent_id: bob.identity.agentId, status: "online" }),
    ]);
    await alice.messages.send({ chat_id: chat.id, text: "about to type" });
    await until(() => events.some((e) => e.chat_id === chat.id), "bob's replica knows the chat");

    expect(watcher.typing(chat.id)).toBe(true);
    expect(watcher.typing(chat.id)).toBe(false); // within 2 s: not sent
    await until(() => typing.length >= 1, "alice typing");
    expect(typing[0]).toEqual({ chat_id: chat.id, parent_id: null, agent_ids: [alice.identity.agentId] });
    expect(bobs.typingIn(chat.id)).toEqual([alice.identity.agentId]);
    await alice.messages.send({ chat_id: chat.id, text: "done typing" });
    await until(() => typing.length >= 2, "the indicator cleared by the message");
    expect(typing[1]).toEqual({ chat_id: chat.id, parent_id: null, agent_ids: [] });
    expect(bobs.typingIn(chat.id)).toEqual([]);

    expect(await bob.agents.setPresence("dnd", "focus")).toMatchObject({ status: "dnd", text: "focus" });
    await until(() => presences.includes("bob dnd"), "bob dnd");
    expect(watcher.presenceOf(bob.identity.agentId)?.text).toBe("focus");
    expect(bobs.activity()).toBe(true);
    expect(bobs.activity()).toBe(false);
  });

  it("refuses another agent's topic with the reason", async () => {
    const live = realtime(bob);
    await live.ready;
    await expect(live.subscribe([`agent_id:${alice.identity.agentId}:chat`])).rejects.toMatchObject({
      reason: "TOPIC_FORBIDDEN",
      httpStatus: 403,
    });
    live.close();
  });

  it("resumes from its cursor when the network comes back: nothing missed, nothing twice", async () => {
    const chat = await alice.chats.create({
      type: "group",
      name: "Flaky",
      participants: [{ owner_type: "agent", owner_id: bob.identity.agentId }],
    });
    const network = flakyNetwork();
    const texts: string[] = [];
    const statuses: RealtimeStatus[] = [];
    const live = realtime(bob, {
      topics: [`agent_id:${bob.identity.agentId}:chat:${chat.id}`],
      WebSocket: network.WebSocket,
      initialDelayMs: 50,
      maxDelayMs: 200,
      onStatus: (status) => statuses.push(status),
      onEvent: (event) => {
        if (event.type === "chatmessage_created" && event.data.type === "normal") texts.push(event.data.text);
      },
    });
    await live.ready;
    for (let i = 1; i <= 3; i++) await alice.messages.send({ chat_id: chat.id, text: `before ${i}` });
    await until(() => texts.length === 3, "the first messages");

    network.down();
    for (let i = 1; i <= 5; i++) await alice.messages.send({ chat_id: chat.id, text: `while down ${i}` });
    await until(() => statuses.filter((s) => s === "reconnecting").length >= 1, "a failed reconnection");
    network.up();
    for (let i = 1; i <= 2; i++) await alice.messages.send({ chat_id: chat.id, text: `after ${i}` });

    const expected = [1, 2, 3]
      .map((i) => `before ${i}`)
      .concat(
        [1, 2, 3, 4, 5].map((i) => `while down ${i}`),
        ["after 1", "after 2"],
      );
    await until(() => texts.length >= expected.length, "every message");
    await new Promise((resolve) => setTimeout(resolve, 200)); // nothing more arrives
    expect(texts).toEqual(expected);
    expect(network.connections()).toBeGreaterThanOrEqual(2);
    expect(statuses.at(-1)).toBe("live");
    live.close();
  });

  it("is an async iterable", async () => {
    const chat = await alice.chats.create({
      type: "group",
      name: "Iterated",
      participants: [{ owner_type: "agent", owner_id: bob.identity.agentId }],
    });
    const live = realtime(bob, { topics: [`agent_id:${bob.identity.agentId}:chat:${chat.id}`] });
    await live.ready;
    const seen: string[] = [];
    const reading = (async () => {
      for await (const event of live) {
        if (event.type === "chatmessage_created" && event.data.type === "normal") seen.push(event.data.text);
        if (seen.length === 2) break;
      }
    })();
    await alice.messages.send({ chat_id: chat.id, text: "one" });
    await alice.messages.send({ chat_id: chat.id, text: "two" });
    await reading;
    expect(seen).toEqual(["one", "two"]);
  });

  it("pings the push service, and leaves a connection that stopped delivering for one that does, missing nothing", async () => {
    const chat = await alice.chats.create({
      type: "group",
      name: "Stalled",
      participants: [{ owner_type: "agent", owner_id: bob.identity.agentId }],
    });
    // `ws` whose first connection goes quiet on demand, like a proxy that stopped forwarding.
    const traffic = { stalled: false, pings: 0, pongs: 0, sockets: 0 };
    class StallingWebSocket implements WebSocketLike {
      private readonly ws: WebSocket;
      private readonly first = ++traffic.sockets === 1;
      constructor(url: string) {
        this.ws = new WebSocket(url);
      }
      get readyState(): number {
        return this.ws.readyState;
      }
      send(data: string): void {
        if (data.includes('"ping"')) traffic.pings++;
        this.ws.send(data);
      }
      close(code?: number, reason?: string): void {
        this.ws.close(code, reason);
      }
      addEventListener(type: "open" | "message" | "close" | "error", listener: Listener): void {
        if (type !== "message") return this.ws.addEventListener(type, listener);
        this.ws.addEventListener("message", (event) => {
          if (this.first && traffic.stalled) return;
          if (String(event.data).includes('"pong"')) traffic.pongs++;
          listener(event);
        });
      }
    }
    const texts: string[] = [];
    const errors: string[] = [];
    const live = realtime(bob, {
      topics: [`agent_id:${bob.identity.agentId}:chat:${chat.id}`],
      WebSocket: StallingWebSocket,
      pingIntervalMs: 50,
      pongTimeoutMs: 300,
      initialDelayMs: 20,
      onError: (error) => errors.push(error.message),
      onEvent: (event) => {
        if (event.type === "chatmessage_created" && event.data.type === "normal") texts.push(event.data.text);
      },
    });
    await live.ready;
    await until(() => traffic.pongs >= 3, "three pongs");
    expect(traffic.sockets).toBe(1);

    traffic.stalled = true;
    await alice.messages.send({ chat_id: chat.id, text: "while stalled" });
    await until(() => traffic.sockets === 2, "a new connection after the missing pong");
    expect(errors).toContain("The WebSocket did not answer a ping within 300 ms.");
    await alice.messages.send({ chat_id: chat.id, text: "after" });
    await until(() => texts.length >= 2, "both messages");
    expect(texts).toEqual(["while stalled", "after"]);
    live.close();
  });
});
