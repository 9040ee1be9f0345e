/**
 * Presence and typing over real sockets and HTTP, run against every stack (docs/websocket.md):
 * online while a WebSocket is open, offline when the last closes, one frame per change however
 * many tabs; explicit statuses; the REST views; and typing relayed to the other participants
 * only, at most once per chat per 2 s. With two push replicas, `wsUrls[1]` is the other replica,
 * so every test here also crosses replicas there. "Nothing more arrived" is shown with a marker:
 * signals from one replica reach a listener in order, so once the marker is there, the rest would be.
 */
import type { PresenceFrame, TypingFrame } from "@talk/contracts";
import { TYPING_RELAY_INTERVAL_MS } from "@talk/contracts";
import { waitFor } from "@talk/testkit";
import { metricTotal } from "../support/exposition";
import { type TestAgent, type TestStack, newCustomer } from "../support/stacks";
import { PushClient } from "./support/push-client";

const chats = "/service_agents/talk_chats";
const ref = (agent: { id: string }) => ({ owner_type: "agent", owner_id: agent.id });

export const presenceFrames = (client: PushClient, agentId?: string) =>
  client.frames.filter(
    (f): f is PresenceFrame => f.type === "agent_presence" && (!agentId || f.data.agent_id === agentId),
  );
export const typingFrames = (client: PushClient, chatId?: string) =>
  client.frames.filter(
    (f): f is TypingFrame => f.type === "typing" && (!chatId || f.data.chat_id === chatId),
  );

export function describePresence(name: string, current: () => TestStack): void {
  describe(`presence and typing (${name})`, () => {
    let stack: TestStack;
    let alice: TestAgent, bob: TestAgent, carol: TestAgent, dave: TestAgent;
    let customerId: string;
    const clients: PushClient[] = [];
    /** A second replica when there is one. */
    const otherUrl = () => stack.wsUrls[stack.wsUrls.length - 1];

    const connect = async (agent: TestAgent, url = stack.wsUrls[0]) => {
      const client = await PushClient.connect(url, agent.token);
      clients.push(client);
      return client;
    };
    const watchPresence = async (agent: TestAgent, url = stack.wsUrls[0]) => {
      const client = await connect(agent, url);
      await client.subscribe(`customer_id:${customerId}:presence`);
      return client;
    };
    const statusOf = async (agent: TestAgent) =>
      (await alice.api.get(`/agents/${agent.id}`)).body.presence?.status as string | undefined;
    const createChat = async (by: TestAgent, others: TestAgent[]) => {
      const res = await by.api.post(chats, { type: "group", name: "typing", participants: others.map(ref) });
      expect(res.status).toBe(200);
      return res.body as { id: string };
    };
    /** A client subscribed to its agent's chats, once its replica knows who is in these chats. */
    const listening = async (agent: TestAgent, chatIds: string[], url: string) => {
      const client = await connect(agent, url);
      await client.subscribe(`agent_id:${agent.id}:chat`);
      for (const chatId of chatIds) {
        const text = `${agent.id} here in ${chatId}`;
        const res = await agent.api.post(`/service_agents/talk_messages`, {
          chat_id: chatId,
          type: "normal",
          text,
        });
        expect(res.status).toBe(200);
        await client.until(
          (c) => c.events().some((f) => (f.data as { text?: string }).text === text),
          "its own message (the replica knows the chat)",
        );
      }
      return client;
    };

    beforeEach(async () => {
      stack = current();
      const customer = await newCustomer(stack, 4);
      customerId = customer.customerId;
      [alice, bob, carol, dave] = customer.agents;
    });

    afterEach(async () => {
      const open = clients.splice(0);
      for (const client of open) expect(client.invalid).toEqual([]);
      await Promise.all(open.map((c) => (c.ws.readyState === c.ws.OPEN ? c.close() : undefined)));
    });

    it("shows an agent online while one of its WebSockets is open, with one frame however many tabs, and offline when the last closes", async () => {
      const watcher = await watchPresence(alice);
      expect(await statusOf(bob)).toBe("offline");
      const tabs = [await connect(bob), await connect(bob, otherUrl()), await connect(bob)];
      await watcher.until((c) => presenceFrames(c, bob.id).length >= 1, "bob online");
      expect(presenceFrames(watcher, bob.id)[0]).toMatchObject({
        type: "agent_presence",
        topic: `customer_id:${customerId}:presence`,
        data: { agent_id: bob.id, status: "online", text: "", tm_presence: expect.any(String) },
      });
      // counted by the owner (agents online) and by push (frames delivered to watchers)
      expect(
        await metricTotal(stack.metricsUrls, "talk_presence_agents", { status: "online" }),
      ).toBeGreaterThan(0);
      expect(await metricTotal(stack.metricsUrls, "talk_push_presence_delivered_total")).toBeGreaterThan(0);
      const agent = (await alice.api.get(`/agents/${bob.id}`)).body;
      expect(agent).toMatchObject({
        presence: { status: "online", text: "" },
        tm_presence: expect.any(String),
      });
      const list = (await alice.api.get("/agents")).body.result as { id: string; presence: unknown }[];
      expect(list.find((a) => a.id === bob.id)?.presence).toEqual({ status: "online", text: "" });
      expect(list.find((a) => a.id === carol.id)?.presence).toEqual({ status: "offline", text: "" });
      const many = await alice.api.get(`/agents/presence?ids=${bob.id},${carol.id}`);
      expect(many.status).toBe(200);
      expect(many.body).toEqual([
        expect.objectContaining({ agent_id: bob.id, status: "online" }),
        { agent_id: carol.id, status: "offline", text: "", tm_presence: null },
      ]);

      await tabs[0].close();
      await tabs[1].close();
      // still online: the last tab is open (a change would come before the marker below)
      const marker = await connect(carol);
      await watcher.until((c) => presenceFrames(c, carol.id).length >= 1, "carol online (the marker)");
      expect(presenceFrames(watcher, bob.id).map((f) => f.data.status)).toEqual(["online"]);
      await tabs[2].close();
      await watcher.until((c) => presenceFrames(c, bob.id).length >= 2, "bob offline");
      expect(presenceFrames(watcher, bob.id).map((f) => f.data.status)).toEqual(["online", "offline"]);
      expect(await statusOf(bob)).toBe("offline");
      await marker.close();
    });

    it("keeps an explicit status and its text until changed, and drops it when the agent goes offline", async () => {
      const watcher = await watchPresence(alice);
      const tab = await connect(bob);
      await watcher.until((c) => presenceFrames(c, bob.id).length >= 1, "bob online");
      const set = await bob.api.put("/agents/me/presence", { status: "dnd", text: "on a call" });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ agent_id: bob.id, status: "dnd", text: "on a call" });
      await watcher.until((c) => presenceFrames(c, bob.id).length >= 2, "bob dnd");
      expect(presenceFrames(watcher, bob.id)[1].data).toMatchObject({ status: "dnd", text: "on a call" });
      expect((await alice.api.get(`/agents/${bob.id}`)).body.presence).toEqual({
        status: "dnd",
        text: "on a call",
      });
      expect((await bob.api.put("/agents/me/presence", { status: "online" })).body.status).toBe("online");
      await watcher.until((c) => presenceFrames(c, bob.id).length >= 3, "bob online again");
      await bob.api.put("/agents/me/presence", { status: "away", text: "lunch" });
      await watcher.until((c) => presenceFrames(c, bob.id).length >= 4, "bob away");
      await tab.close();
      await watcher.until((c) => presenceFrames(c, bob.id).length >= 5, "bob offline");
      await connect(bob);
      await watcher.until((c) => presenceFrames(c, bob.id).length >= 6, "bob back");
      expect(
        presenceFrames(watcher, bob.id).map((f) => `${f.data.status}${f.data.text ? `:${f.data.text}` : ""}`),
      ).toEqual(["online", "dnd:on a call", "online", "away:lunch", "offline", "online"]);
    });

    it("refuses bad presence requests with a 400 that names the problem", async () => {
      expect(await bob.api.put("/agents/me/presence", { status: "busy" })).toMatchObject({
        status: 400,
        body: { error: { message: expect.stringContaining("body.status must be one of") } },
      });
      expect(
        await bob.api.put("/agents/me/presence", { status: "dnd", text: "x".repeat(101) }),
      ).toMatchObject({
        status: 400,
        body: { error: { message: expect.stringContaining("body.text") } },
      });
      expect(await bob.api.get("/agents/presence")).toMatchObject({
        status: 400,
        body: { error: { reason: "IDS_REQUIRED" } },
      });
      expect(await bob.api.get("/agents/presence?ids=bob")).toMatchObject({
        status: 400,
        body: { error: { message: expect.stringContaining("query.ids.0 must be a lowercase UUID") } },
      });
    });

    it("keeps customers apart: no presence topic of another customer, no frames about its agents", async () => {
      const [other, colleague] = (await newCustomer(stack, 2)).agents;
      const stranger = await connect(other);
      expect(
        await stranger.request({ type: "subscribe", topics: [`customer_id:${customerId}:presence`] }),
      ).toMatchObject({
        type: "error",
        error: { reason: "TOPIC_FORBIDDEN" },
      });
      await stranger.subscribe(`customer_id:${other.customer_id}:presence`);
      const watcher = await watchPresence(alice);
      await connect(bob);
      await watcher.until((c) => presenceFrames(c, bob.id).length >= 1, "bob online");
      const theirs = await connect(colleague, otherUrl()); // of the stranger's own customer: the marker
      await stranger.until(
        (c) => presenceFrames(c, colleague.id).length >= 1,
        "the stranger's colleague online",
      );
      expect(presenceFrames(stranger, bob.id)).toEqual([]);
      expect(presenceFrames(watcher, colleague.id)).toEqual([]);
      await theirs.close();
    });

    it("relays typing to the other participants subscribed to the chat, never to the typist, a non-participant or another customer", async () => {
      const chat = await createChat(alice, [bob, carol]);
      const markerChat = await createChat(alice, [dave]);
      const typist = await listening(alice, [chat.id], stack.wsUrls[0]);
      const bobs = await listening(bob, [chat.id], otherUrl());
      const carols = await listening(carol, [chat.id], stack.wsUrls[0]);
      const daves = await listening(dave, [markerChat.id], otherUrl());
      const other = (await newCustomer(stack, 1)).agents[0];
      const stranger = await connect(other, otherUrl());
      await stranger.subscribe(`agent_id:${other.id}:chat`);

      typist.send({ type: "typing", chat_id: chat.id });
      await bobs.until((c) => typingFrames(c, chat.id).length >= 1, "bob sees alice typing");
      expect(typingFrames(bobs, chat.id)[0]).toEqual({
        type: "typing",
        data: { chat_id: chat.id, parent_id: null, agent_id: alice.id },
        topic: `agent_id:${bob.id}:chat`,
      });
      await carols.until((c) => typingFrames(c, chat.id).length >= 1, "carol sees alice typing");
      typist.send({ type: "typing", chat_id: markerChat.id, parent_id: markerChat.id });
      await daves.until((c) => typingFrames(c, markerChat.id).length >= 1, "dave sees the marker");
      expect(typingFrames(daves, chat.id)).toEqual([]);
      expect(typingFrames(daves, markerChat.id)[0].data.parent_id).toBe(markerChat.id);
      expect(typingFrames(typist)).toEqual([]);
      expect(typingFrames(stranger)).toEqual([]);
    });

    it("answers a non-participant's typing with an error naming the chat, and relays nothing", async () => {
      const chat = await createChat(alice, [bob]);
      const bobs = await listening(bob, [chat.id], stack.wsUrls[0]);
      const daves = await connect(dave, otherUrl());
      daves.send({ type: "typing", chat_id: chat.id, id: "t1" });
      await daves.until((c) => c.errors().find((f) => f.id === "t1"), "the refusal");
      expect(daves.errors().find((f) => f.id === "t1")).toMatchObject({
        error: {
          status: "PERMISSION_DENIED",
          reason: "NOT_A_PARTICIPANT",
          message: expect.stringContaining(chat.id),
        },
        chat_id: chat.id,
      });
      const typist = await connect(alice, otherUrl());
      typist.send({ type: "typing", chat_id: chat.id });
      await bobs.until((c) => typingFrames(c, chat.id).length >= 1, "alice's typing (the marker)");
      expect(typingFrames(bobs, chat.id).map((f) => f.data.agent_id)).toEqual([alice.id]);
    });

    it("relays a flood of typing frames at most once per chat per 2 s", async () => {
      const chat = await createChat(alice, [bob]);
      const markerChat = await createChat(alice, [bob]);
      const bobs = await listening(bob, [chat.id, markerChat.id], otherUrl());
      const typist = await connect(alice);
      const typed = (outcome: string) =>
        metricTotal(stack.metricsUrls, "talk_push_typing_frames_total", { outcome });
      const before = { relayed: await typed("relayed"), throttled: await typed("throttled") };
      const started = Date.now();
      for (let i = 0; i < 30; i++) typist.send({ type: "typing", chat_id: chat.id });
      typist.send({ type: "typing", chat_id: markerChat.id });
      await bobs.until((c) => typingFrames(c, markerChat.id).length >= 1, "the marker chat's typing");
      const allowed = 1 + Math.floor((Date.now() - started) / TYPING_RELAY_INTERVAL_MS);
      expect(typingFrames(bobs, chat.id).length).toBeGreaterThanOrEqual(1);
      expect(typingFrames(bobs, chat.id).length).toBeLessThanOrEqual(allowed);
      expect(typist.errors()).toEqual([]);
      // push counts every frame: the ones relayed and the ones the rate limit dropped
      const counted = await waitFor(async () => {
        const relayed = (await typed("relayed")) - before.relayed;
        const throttled = (await typed("throttled")) - before.throttled;
        return relayed + throttled === 31 ? { relayed, throttled } : undefined;
      });
      expect(counted.relayed).toBeLessThanOrEqual(allowed + 1); // + the marker chat's
      expect(counted.throttled).toBeGreaterThanOrEqual(30 - allowed);
    });
  });
}
