import { randomUUID } from "node:crypto";
import { startEmbeddedStack, useStack, newCustomer } from "../support/stacks";
import { describePush } from "./push.suite";
import { waitFor } from "@talk/testkit";
import { PushClient, refusedUpgrade } from "./support/push-client";
import { describePresence, presenceFrames } from "./presence.suite";
import { describeReadMarks } from "./read-marks.suite";

const stack = useStack(startEmbeddedStack);
describePush("embedded", stack);
describePresence("embedded", stack);
describeReadMarks("embedded", stack);

describe("presence (embedded, with a short idle time)", () => {
  const idle = useStack(() => startEmbeddedStack({ presence: { idleMs: 1000, tickMs: 50 } }));

  it("turns a connected agent away after the idle time without activity, and online again on an activity frame or an API call", async () => {
    const { customerId, agents } = await newCustomer(idle(), 2);
    const [alice, bob] = agents;
    const watcher = await PushClient.connect(idle().wsUrls[0], alice.token);
    await watcher.subscribe(`customer_id:${customerId}:presence`);
    const statuses = () => presenceFrames(watcher, bob.id).map((f) => f.data.status);
    const tab = await PushClient.connect(idle().wsUrls[0], bob.token);
    await watcher.until(() => statuses().length >= 2, "bob online, then away");
    expect(statuses()).toEqual(["online", "away"]);
    tab.send({ type: "activity" });
    await watcher.until(() => statuses().length >= 3, "bob online on activity");
    await watcher.until(() => statuses().length >= 4, "bob away again");
    expect((await bob.api.get("/agents/presence?ids=" + bob.id)).status).toBe(200); // an API call is activity
    await watcher.until(() => statuses().length >= 5, "bob online on an API call");
    expect(statuses()).toEqual(["online", "away", "online", "away", "online"]);
    expect(watcher.invalid).toEqual([]);
    tab.kill();
    watcher.kill();
  });
});

describe("push over WebSocket (embedded, with a small event stream and tight limits)", () => {
  const small = useStack(() =>
    startEmbeddedStack({
      push: {
        stream: { maxAgeSeconds: 86400, maxBytes: 40_000, segmentBytes: 4096 },
        heartbeatMs: 300,
        maxFrameBytes: 2048,
        maxFramesPer10s: 20,
        maxTopics: 2,
        maxConnectionsPerAgent: 2,
      },
    }),
  );

  it("caps the connections one agent holds, and admits another once one closes", async () => {
    const [alice, bob] = (await newCustomer(small(), 2)).agents;
    const url = small().wsUrls[0];
    const first = await PushClient.connect(url, alice.token);
    const second = await PushClient.connect(url, alice.token);
    expect(await refusedUpgrade(`${url}/v1.0/ws?token=${alice.token}`)).toMatchObject({
      status: 429,
      body: {
        error: { reason: "TOO_MANY_CONNECTIONS_FOR_AGENT", message: expect.stringMatching(/at most 2/) },
      },
    });
    const other = await PushClient.connect(url, bob.token); // another agent is not affected
    await first.close();
    await waitFor(
      async () => {
        const again = await PushClient.connect(url, alice.token).catch(() => undefined);
        if (again) await again.close();
        return again !== undefined;
      },
      { what: "a place for alice once one of hers closed" },
    );
    await Promise.all([second.close(), other.close()]);
  });

  it("tells a client whose missed events are no longer kept to resync from the REST API, then goes on live", async () => {
    const { agents } = await newCustomer(small(), 2);
    const [alice, bob] = agents;
    const chat = (
      await alice.api.post("/service_agents/talk_chats", {
        type: "group",
        participants: [{ owner_type: "agent", owner_id: bob.id }],
      })
    ).body;
    const client = await PushClient.connect(small().wsUrls[0], bob.token);
    await client.subscribe(`agent_id:${bob.id}:chat`);
    await alice.api.post("/service_agents/talk_messages", { chat_id: chat.id, type: "normal", text: "seen" });
    await client.until(
      (c) => c.events().length >= 1 && c.events().some((f) => (f.data as { text?: string }).text === "seen"),
      "the first message",
    );
    const cursor = client.lastCursor() as string;
    await client.close();
    // A second connection stays live, so the resume below starts only once all 40 events are in
    // the stream (the outbox relays them after each send is acknowledged): none can then arrive live.
    const watcher = await PushClient.connect(small().wsUrls[0], bob.token);
    await watcher.subscribe(`agent_id:${bob.id}:chat`);
    for (let i = 0; i < 40; i++)
      await alice.api.post("/service_agents/talk_messages", {
        chat_id: chat.id,
        type: "normal",
        text: `${i} ${"x".repeat(1000)} ${randomUUID()}`,
      });
    await watcher.until(
      (c) => c.events().some((f) => (f.data as { text?: string }).text?.startsWith("39 ")),
      "the 40th message, live on another connection",
    );
    await watcher.close();

    const resumed = await PushClient.connect(small().wsUrls[0], bob.token, { cursor });
    await resumed.subscribe(`agent_id:${bob.id}:chat`);
    const resync = await resumed.until(
      (c) => c.frames.find((f) => f.type === "resync_required"),
      "resync_required",
    );
    expect(resync).toMatchObject({ reason: "CURSOR_EXPIRED", cursor: expect.any(String) });
    expect(resumed.events()).toEqual([]);
    await alice.api.post("/service_agents/talk_messages", {
      chat_id: chat.id,
      type: "normal",
      text: "live again",
    });
    await resumed.until(
      (c) => c.events().some((f) => (f.data as { text?: string }).text === "live again"),
      "the live message",
    );
    expect(resumed.invalid).toEqual([]);
    await resumed.close();
  });

  it("drops a peer that stops answering pings, and keeps one that answers", async () => {
    const [agent] = (await newCustomer(small(), 1)).agents;
    const dead = await PushClient.connect(small().wsUrls[0], agent.token, { autoPong: false });
    const alive = await PushClient.connect(small().wsUrls[0], agent.token);
    const started = Date.now();
    expect((await dead.closed).code).toBe(1006); // terminated, no closing handshake
    expect(Date.now() - started).toBeLessThan(5000);
    await alive.subscribe(`agent_id:${agent.id}:chat`); // still served after several heartbeats
    await alive.close();
  });

  it("closes a connection that sends a frame over the size limit (1009) or too many frames (1008)", async () => {
    const [agent] = (await newCustomer(small(), 1)).agents;
    const big = await PushClient.connect(small().wsUrls[0], agent.token);
    big.send({ type: "subscribe", topics: ["x".repeat(3000)] });
    expect((await big.closed).code).toBe(1009);

    const chatty = await PushClient.connect(small().wsUrls[0], agent.token);
    for (let i = 0; i < 25; i++) chatty.send({ type: "unsubscribe", topics: [`agent_id:${agent.id}:chat`] });
    expect((await chatty.closed).code).toBe(1008);
    expect(chatty.errors().map((e) => e.error.reason)).toContain("TOO_MANY_FRAMES");
  });

  it("bounds the topics of a connection", async () => {
    const [admin] = (await newCustomer(small(), 1)).agents;
    const client = await PushClient.connect(small().wsUrls[0], admin.token);
    await client.subscribe(`agent_id:${admin.id}:chat`, `customer_id:${admin.customer_id}:chat`);
    const chat = (await admin.api.post("/service_agents/talk_chats", { type: "group" })).body;
    expect(
      await client.request({ type: "subscribe", topics: [`agent_id:${admin.id}:chat:${chat.id}`] }),
    ).toMatchObject({
      type: "error",
      error: { status: "RESOURCE_EXHAUSTED", reason: "TOO_MANY_TOPICS" },
    });
    await client.close();
  });
});
