/**
 * The WebSocket (SPEC §4) over real sockets, run against every stack: authentication at the
 * upgrade, the seed's flow, acknowledgements and error frames, delivery rules (participants'
 * windows, customers apart, once per connection, per-chat order under concurrent senders), and
 * resuming from a cursor. "Nothing more arrives" is shown with a marker event sent afterwards:
 * a connection receives events in stream order, so once the marker is there, the rest would be too.
 */
import { type EventFrame, NOT_DELETED } from "@talk/contracts";
import { type TestAgent, type TestStack, newCustomer } from "../support/stacks";
import { PushClient, chatOf, refusedUpgrade, type ConnectOptions } from "./support/push-client";

const chats = "/service_agents/talk_chats";
const messages = "/service_agents/talk_messages";
const ref = (agent: { id: string }) => ({ owner_type: "agent", owner_id: agent.id });
const topicOf = (agent: { id: string }) => `agent_id:${agent.id}:chat`;
const key = (frame: EventFrame) => `${frame.type} ${chatOf(frame)} ${frame.seq}`;
const textOf = (frame: EventFrame) => (frame.data as { text?: string }).text;

export function describePush(name: string, current: () => TestStack): void {
  describe(`push over WebSocket (${name})`, () => {
    let stack: TestStack;
    let alice: TestAgent, bob: TestAgent, carol: TestAgent;
    let customerId: string;
    const clients: PushClient[] = [];

    const connect = async (agent: TestAgent, options: ConnectOptions = {}, url = stack.wsUrls[0]) => {
      const client = await PushClient.connect(url, agent.token, options);
      clients.push(client);
      return client;
    };
    const createChat = async (by: TestAgent, others: TestAgent[], type = "group") => {
      const res = await by.api.post(chats, { type, name: "Q1 Project", participants: others.map(ref) });
      expect(res.status).toBe(200);
      return res.body as { id: string };
    };
    const send = async (by: TestAgent, chatId: string, text: string) => {
      const res = await by.api.post(messages, { chat_id: chatId, type: "normal", text });
      expect(res.status).toBe(200);
      return res.body as { id: string };
    };
    const received = (client: PushClient, text: string) => client.events().some((f) => textOf(f) === text);
    /** Sends a marker in a chat of `agent` only, and waits for the client to get it. */
    const marker = async (client: PushClient, agent: TestAgent) => {
      const chat = await createChat(agent, []);
      const text = `marker ${chat.id}`;
      await send(agent, chat.id, text);
      await client.until((c) => received(c, text), "the marker");
    };

    beforeEach(async () => {
      stack = current();
      const customer = await newCustomer(stack, 3);
      customerId = customer.customerId;
      [alice, bob, carol] = customer.agents;
    });

    afterEach(async () => {
      const open = clients.splice(0);
      for (const client of open) expect(client.invalid).toEqual([]);
      await Promise.all(open.map((c) => (c.ws.readyState === c.ws.OPEN ? c.close() : undefined)));
    });

    it("refuses an upgrade without a valid token before the WebSocket opens, and takes the token as a header too", async () => {
      const url = stack.wsUrls[0];
      expect(await refusedUpgrade(`${url}/v1.0/ws`)).toMatchObject({
        status: 401,
        body: { error: { status: "UNAUTHENTICATED", reason: "TOKEN_MISSING", message: expect.any(String) } },
      });
      expect(await refusedUpgrade(`${url}/v1.0/ws?token=not-a-token`)).toMatchObject({
        status: 401,
        body: { error: { reason: "TOKEN_INVALID" } },
      });
      expect(await refusedUpgrade(`${url}/v1.0/ws`, { authorization: "Bearer not-a-token" })).toMatchObject({
        status: 401,
      });
      expect(await refusedUpgrade(`${url}/v1.0/ws?token=${bob.token}&cursor=%25%25`)).toMatchObject({
        status: 400,
        body: { error: { reason: "CURSOR_MALFORMED" } },
      });
      expect(await refusedUpgrade(`${url}/v1.0/sockets?token=${bob.token}`)).toMatchObject({ status: 404 });
      const client = await connect(bob, { tokenIn: "header" });
      await expect(client.subscribe(topicOf(bob))).resolves.toMatchObject({
        type: "subscribed",
        cursor: expect.any(String),
      });
    });

    it("adopts a caller's X-Request-Id only as the gateway does: short and plain, else a fresh one", async () => {
      const url = `${stack.wsUrls[0]}/v1.0/ws`;
      expect((await refusedUpgrade(url, { "x-request-id": "trace-abc_1.2:3" })).requestId).toBe(
        "trace-abc_1.2:3",
      );
      for (const unsafe of ["x".repeat(150), "<script>", "a b"]) {
        const refused = await refusedUpgrade(url, { "x-request-id": unsafe });
        expect(refused.requestId).toMatch(/^[0-9a-f-]{36}$/);
        expect(refused.body.error.request_id).toBe(refused.requestId);
      }
    });

    it("delivers the seed's flow in order: chat_created, chatparticipant_added, messages, reactions, updates and deletes", async () => {
      const client = await connect(bob);
      await client.subscribe(topicOf(bob));
      const chat = await createChat(alice, [bob]);
      const message = await send(alice, chat.id, "Sprint 1 completed!");
      expect((await bob.api.post(`${messages}/${message.id}/reactions`, { emoji: "🎉" })).status).toBe(200);
      expect((await alice.api.put(`${chats}/${chat.id}`, { name: "Q1 Project (done)" })).status).toBe(200);
      // chat changes are sequenced into the chat's stream a moment after the reply: wait for it to keep the order below
      await client.until((c) => c.events().some((f) => f.type === "chat_updated"), "chat_updated");
      expect((await alice.api.delete(`${messages}/${message.id}`)).status).toBe(200);
      expect((await alice.api.delete(`${chats}/${chat.id}`)).status).toBe(200);
      const expected = [
        "chat_created",
        "chatparticipant_added",
        "chatmessage_created", // Bob joined the conversation.
        "chatmessage_created",
        "chatmessage_reaction_updated",
        "chat_updated",
        "chatmessage_deleted",
        "chat_deleted",
      ];
      await client.until((c) => c.chat(chat.id).length >= expected.length, "the chat's events");
      const frames = client.events().filter((f) => chatOf(f) === chat.id);
      expect(frames.map((f) => f.type)).toEqual(expected);
      const seqs = frames.map((f) => f.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(new Set(frames.map((f) => f.topic))).toEqual(new Set([topicOf(bob)]));
      expect(new Set(frames.map((f) => f.cursor)).size).toBe(frames.length);
      const [created, added, joined, sent, reacted, updated, deleted, gone] = frames;
      expect(created.data).toMatchObject({
        id: chat.id,
        customer_id: customerId,
        name: "Q1 Project",
        tm_delete: NOT_DELETED,
      });
      expect(added.data).toMatchObject({ chat_id: chat.id, owner_id: bob.id });
      expect(joined.data).toMatchObject({
        type: "system",
        text: expect.stringMatching(/joined the conversation\.$/),
      });
      expect(sent.data).toMatchObject({ id: message.id, text: "Sprint 1 completed!", owner_id: alice.id });
      expect(reacted.data).toMatchObject({
        id: message.id,
        metadata: { reactions: [{ emoji: "🎉", owner_id: bob.id }] },
      });
      expect(updated.data).toMatchObject({ id: chat.id, name: "Q1 Project (done)" });
      expect(deleted.data).toMatchObject({ id: message.id, text: "" });
      expect((gone.data as { tm_delete: string }).tm_delete).not.toBe(NOT_DELETED);
    });

    it("answers a ping with a pong carrying its id, before and after subscribing, after the events sent before it", async () => {
      const client = await connect(bob);
      client.send({ type: "ping", id: "before" });
      await client.until(
        (c) => c.frames.find((f) => f.type === "pong" && f.id === "before"),
        "the first pong",
      );
      const chat = await createChat(alice, [bob]);
      await client.subscribe(topicOf(bob));
      await send(alice, chat.id, "before the ping");
      await client.until((c) => received(c, "before the ping"), "the message");
      client.send({ type: "ping" });
      const pong = await client.until(
        (c) => c.frames.findIndex((f) => f.type === "pong" && f.id === undefined) + 1,
        "the second pong",
      );
      const message = client.frames.findIndex((f) => "seq" in f && textOf(f) === "before the ping");
      expect(message).toBeLessThan(pong - 1);
    });

    it("acknowledges each subscribe and unsubscribe, and answers a refused topic or a bad frame with an error that says why", async () => {
      const client = await connect(bob);
      const other = await newCustomer(stack, 1);
      const privateChat = await createChat(alice, [carol]);
      const foreignChat = await createChat(other.agents[0], []);
      const refusals: [unknown, string, string][] = [
        [{ type: "subscribe", topics: ["agent_id:bob:chat"] }, "INVALID_ARGUMENT", "TOPIC_MALFORMED"],
        [{ type: "subscribe", topics: [topicOf(alice)] }, "PERMISSION_DENIED", "TOPIC_FORBIDDEN"],
        [
          { type: "subscribe", topics: [`customer_id:${customerId}:chat`] },
          "PERMISSION_DENIED",
          "ADMIN_ONLY",
        ],
        [
          { type: "subscribe", topics: [`customer_id:${other.customerId}:chat`] },
          "PERMISSION_DENIED",
          "TOPIC_FORBIDDEN",
        ],
        [
          { type: "subscribe", topics: [`agent_id:${bob.id}:chat:${privateChat.id}`] },
          "PERMISSION_DENIED",
          "NOT_A_PARTICIPANT",
        ],
        [
          { type: "subscribe", topics: [`agent_id:${bob.id}:chat:${foreignChat.id}`] },
          "NOT_FOUND",
          "CHAT_NOT_FOUND",
        ],
        [
          { type: "subscribe", topics: [topicOf(bob), topicOf(carol)] },
          "PERMISSION_DENIED",
          "TOPIC_FORBIDDEN",
        ],
        [{ type: "publish", topics: [topicOf(bob)] }, "INVALID_ARGUMENT", "MALFORMED_FRAME"],
        [{ type: "subscribe", topics: [] }, "INVALID_ARGUMENT", "MALFORMED_FRAME"],
      ];
      for (const [frame, status, reason] of refusals) {
        const answer = await client.request(frame as { type: string; topics: unknown });
        expect(answer).toMatchObject({
          type: "error",
          error: { status, reason, message: expect.stringMatching(/\w+ \w+/) },
        });
      }
      client.send("{this is not json");
      client.send(Buffer.from([0xff, 0x00, 0x13]));
      await client.until(
        (c) => c.errors().filter((e) => e.id === undefined).length >= 2,
        "two more error frames",
      );
      expect(
        client
          .errors()
          .filter((e) => e.id === undefined)
          .map((e) => e.error.reason),
      ).toEqual(["MALFORMED_FRAME", "BINARY_FRAME"]);

      // still open and serving; the refused mixed subscribe above subscribed to nothing
      await expect(client.request({ type: "subscribe", topics: [topicOf(bob)] })).resolves.toMatchObject({
        type: "subscribed",
        topics: [topicOf(bob)],
      });
      await expect(client.request({ type: "unsubscribe", topics: [topicOf(bob)] })).resolves.toMatchObject({
        type: "unsubscribed",
        topics: [topicOf(bob)],
      });
      const witness = await connect(bob);
      await witness.subscribe(topicOf(bob));
      const chat = await createChat(alice, [bob]);
      await send(alice, chat.id, "not for an unsubscribed connection");
      await witness.until((c) => received(c, "not for an unsubscribed connection"), "the message, elsewhere");
      await client.subscribe(topicOf(bob));
      await marker(client, bob);
      expect(client.chat(chat.id)).toEqual([]);
    });

    it("never sends a chat's events to a non-participant or to another customer; an admin's customer topic sees its chat-level events", async () => {
      const other = await newCustomer(stack, 1);
      const stranger = other.agents[0]; // an admin of the other customer
      const strangerClient = await connect(stranger);
      await strangerClient.subscribe(topicOf(stranger), `customer_id:${other.customerId}:chat`);
      const carolClient = await connect(carol);
      await carolClient.subscribe(topicOf(carol));
      const admin = await connect(alice);
      await admin.subscribe(`customer_id:${customerId}:chat`);

      const chat = await createChat(bob, []);
      await send(bob, chat.id, "for participants only");
      await send(bob, chat.id, "still for participants only");
      await marker(carolClient, carol);
      await marker(strangerClient, stranger);
      await marker(admin, alice);
      expect(carolClient.chat(chat.id)).toEqual([]);
      expect(strangerClient.chat(chat.id)).toEqual([]);
      expect(
        strangerClient
          .events()
          .every((f) => (f.data as { customer_id: string }).customer_id === other.customerId),
      ).toBe(true);
      // alice, an admin, is not in bob's group: REST answers 403 for its messages, and so does her topic
      expect((await alice.api.get(`${messages}?chat_id=${chat.id}`)).status).toBe(403);
      expect(admin.chat(chat.id).map((frame) => frame.split("@")[0])).toEqual([
        "chat_created",
        "chatparticipant_added",
      ]);
      expect(new Set(admin.events().map((f) => f.topic))).toEqual(
        new Set([`customer_id:${customerId}:chat`]),
      );
    });

    it("gives an admin's customer topic the messages of public channels and of the admin's own chats, and no cursor widens that", async () => {
      const group = await createChat(bob, [carol]);
      const channel = await createChat(bob, [], "talk");
      await send(bob, group.id, "private to bob and carol");
      await send(bob, channel.id, "public to the customer");
      const ours = await createChat(bob, [alice]);
      await send(bob, ours.id, "alice is in this one");
      // a forged cursor before the first event replays the whole retained stream
      const forged = Buffer.from("v1.-1.", "utf8").toString("base64url");
      const admin = await connect(alice, { cursor: forged });
      await admin.subscribe(`customer_id:${customerId}:chat`);
      await admin.until((c) => received(c, "alice is in this one"), "the replayed messages of alice's chat");
      await marker(admin, alice);
      expect(received(admin, "public to the customer")).toBe(true);
      expect(received(admin, "private to bob and carol")).toBe(false);
      expect(admin.chat(group.id).map((frame) => frame.split("@")[0])).toEqual([
        "chat_created",
        "chatparticipant_added",
        "chatparticipant_added",
      ]);
    });

    it("gives a participant the chat's events from its own chatparticipant_added to its own chatparticipant_removed", async () => {
      const client = await connect(carol);
      await client.subscribe(topicOf(carol));
      const chat = await createChat(alice, [bob]);
      await send(alice, chat.id, "before carol");
      const participant = (await alice.api.post(`${chats}/${chat.id}/participants`, ref(carol))).body as {
        id: string;
      };
      await send(alice, chat.id, "while carol is in");
      expect((await alice.api.delete(`${chats}/${chat.id}/participants/${participant.id}`)).status).toBe(200);
      await send(alice, chat.id, "after carol left");
      await marker(client, carol);
      const frames = client.events().filter((f) => chatOf(f) === chat.id);
      expect(frames.map((f) => [f.type, textOf(f) ?? (f.data as { owner_id: string }).owner_id])).toEqual([
        ["chatparticipant_added", carol.id],
        ["chatmessage_created", expect.stringMatching(/joined the conversation\.$/)],
        ["chatmessage_created", "while carol is in"],
        ["chatparticipant_removed", carol.id],
      ]);
    });

    it("sends an event once whatever the overlapping subscriptions, through the most specific topic", async () => {
      const chat = await createChat(alice, [bob]);
      const client = await connect(alice);
      const specific = `agent_id:${alice.id}:chat:${chat.id}`;
      await client.subscribe(
        topicOf(alice),
        specific,
        `customer_id:${customerId}:chat`,
        `customer_id:${customerId}:chat:${chat.id}`,
      );
      await send(alice, chat.id, "one");
      await send(bob, chat.id, "two");
      await marker(client, alice);
      // The chat's creation events are published after the create call answers, so they may
      // arrive live after the subscribe: whatever came, came once and through the specific topic.
      const frames = client.events().filter((f) => chatOf(f) === chat.id);
      expect(frames.map(textOf).filter((text) => text === "one" || text === "two")).toEqual(["one", "two"]);
      expect(new Set(frames.map((f) => f.topic))).toEqual(new Set([specific]));
      const keys = client.events().map(key);
      expect(new Set(keys).size).toBe(keys.length);
    });

    it("keeps each chat's events in seq order, none lost or repeated, under 10 concurrent senders", async () => {
      const crowd = await newCustomer(stack, 10);
      const [owner, ...others] = crowd.agents;
      const chat = (
        await owner.api.post(chats, { type: "group", name: "crowd", participants: others.map(ref) })
      ).body as { id: string };
      const observers = await Promise.all(stack.wsUrls.map((url) => connect(owner, {}, url)));
      for (const observer of observers) await observer.subscribe(topicOf(owner));
      await Promise.all(
        crowd.agents.map(async (agent, i) => {
          for (let n = 0; n < 10; n++) await send(agent, chat.id, `${i}-${n}`);
        }),
      );
      const normal = (c: PushClient) =>
        c.events().filter((f) => chatOf(f) === chat.id && /^\d+-\d+$/.test(textOf(f) ?? ""));
      for (const observer of observers) {
        await observer.until((c) => normal(c).length >= 100, "the 100 messages", 60_000);
        const seqs = observer
          .events()
          .filter((f) => chatOf(f) === chat.id)
          .map((f) => f.seq);
        expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i)); // increasing, gapless, no repeats
        const texts = normal(observer).map(textOf) as string[];
        for (let i = 0; i < 10; i++)
          expect(texts.filter((t) => t.startsWith(`${i}-`))).toEqual(
            Array.from({ length: 10 }, (_, n) => `${i}-${n}`),
          );
      }
      // every replica delivers the same events in the same order
      if (observers.length > 1) expect(normal(observers[1]).map(key)).toEqual(normal(observers[0]).map(key));
    });

    it("resumes from the cursor of its last frame, on any replica: every missed event once and in order, then live ones", async () => {
      const chat = await createChat(alice, [bob]);
      const observer = await connect(bob);
      await observer.subscribe(topicOf(bob));
      const client = await connect(bob);
      await client.subscribe(topicOf(bob));
      await send(alice, chat.id, "m1");
      await client.until((c) => received(c, "m1"), "m1");
      const cursor = client.lastCursor() as string;
      await client.close();
      await send(alice, chat.id, "m2");
      await send(bob, chat.id, "m3");
      await observer.until((c) => received(c, "m3"), "m3");

      const resumed = await connect(bob, { cursor }, stack.wsUrls[stack.wsUrls.length - 1]);
      expect(await resumed.subscribe(topicOf(bob))).toMatchObject({ cursor });
      await send(alice, chat.id, "m4");
      await resumed.until((c) => received(c, "m4"), "m4 on the resumed connection");
      await observer.until((c) => received(c, "m4"), "m4");
      const after = observer.events().slice(observer.events().findIndex((f) => f.cursor === cursor) + 1);
      expect(resumed.events().map(key)).toEqual(after.map(key));
      expect(resumed.events().map(textOf)).toEqual(["m2", "m3", "m4"]);
    });

    it("tells a client whose cursor names no event of the stream to resync, then sends it live events", async () => {
      const forged = Buffer.from("v1.0.deadbeef").toString("base64url");
      const client = await connect(bob, { cursor: forged });
      await client.subscribe(topicOf(bob));
      const resync = await client.until(
        (c) => c.frames.find((f) => f.type === "resync_required"),
        "resync_required",
      );
      expect(resync).toMatchObject({
        reason: "CURSOR_UNKNOWN",
        message: expect.stringMatching(/REST API/),
        cursor: expect.any(String),
      });
      const chat = await createChat(alice, [bob]);
      await client.until((c) => c.chat(chat.id).length >= 2, "live events after the resync");
    });
  });
}
