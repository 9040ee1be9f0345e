/**
 * The SDK against the embedded system: every route through its typed method, errors as
 * `TalkApiError` with the API's reason, paging by async iteration, and writes that are retried
 * with their Idempotency-Key after a lost answer or a 503 and still take effect once.
 */
import { NOT_DELETED } from "@talk/contracts";
import {
  newCustomer,
  startEmbeddedStack,
  type TestAgent,
  type TestStack,
  useStack,
} from "../../../test/support/stacks";
import { type FetchFunction, type Message, TalkApiError, TalkClient, TalkConnectionError } from "../src/node";

const current = useStack(startEmbeddedStack);

describe("the SDK (embedded)", () => {
  let stack: TestStack;
  let agents: TestAgent[];
  let alice: TalkClient, bob: TalkClient, carol: TalkClient;
  const clientOf = (agent: TestAgent, options: { fetch?: FetchFunction } = {}) =>
    new TalkClient({
      baseUrl: stack.api.baseUrl,
      token: agent.token,
      retry: { baseDelayMs: 10 },
      ...options,
    });

  beforeAll(async () => {
    stack = current();
    ({ agents } = await newCustomer(stack, 3));
    [alice, bob, carol] = agents.map((agent) => clientOf(agent));
  });

  describe("logging in", () => {
    it("returns a client acting as the agent", async () => {
      const client = await TalkClient.login(
        `${stack.api.baseUrl}/v1.0`,
        agents[1].username,
        `password-1-${agents[1].customer_id}`,
      );
      expect(client.identity).toMatchObject({
        agentId: agents[1].id,
        customerId: agents[1].customer_id,
        permission: "agent",
      });
      expect(await client.me()).toMatchObject({ id: agents[1].id, username: agents[1].username });
    });
    it("throws a TalkApiError with the API's reason for a wrong password", async () => {
      const error = await TalkClient.login(stack.api.baseUrl, agents[1].username, "not-the-password").catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TalkApiError);
      expect(error).toMatchObject({
        status: "UNAUTHENTICATED",
        httpStatus: 401,
        reason: "INVALID_CREDENTIALS",
      });
      expect((error as TalkApiError).requestId).toEqual(expect.any(String));
    });
  });

  describe("chats, participants and channels", () => {
    it("creates, reads, updates and deletes a group, and manages its participants", async () => {
      const chat = await alice.chats.create({
        type: "group",
        name: "Project",
        participants: [{ owner_type: "agent", owner_id: bob.identity.agentId }],
      });
      expect(chat).toMatchObject({ type: "group", name: "Project", member_count: 2 });
      expect(await bob.chats.get(chat.id)).toMatchObject(chat);
      expect(await alice.chats.update(chat.id, { name: "Q1 Project" })).toMatchObject({ name: "Q1 Project" });

      const added = await bob.participants.add(chat.id, carol.identity.agentId);
      expect(added).toMatchObject({ chat_id: chat.id, owner_id: carol.identity.agentId });
      expect((await carol.participants.list(chat.id)).map((p) => p.owner_id).sort()).toEqual(
        [alice, bob, carol].map((c) => c.identity.agentId).sort(),
      );
      await alice.participants.remove(chat.id, added.id);
      await expect(carol.chats.get(chat.id)).rejects.toMatchObject({
        httpStatus: 403,
        reason: "NOT_A_PARTICIPANT",
      });

      expect((await alice.chats.delete(chat.id)).tm_delete).not.toBe("9999-01-01 00:00:00.000000");
      await expect(alice.messages.send({ chat_id: chat.id, text: "too late" })).rejects.toMatchObject({
        status: "NOT_FOUND",
      });
    });
    it("lists public channels to everyone and lets them join", async () => {
      const channel = await alice.chats.create({ type: "talk", name: `#general-${Date.now()}` });
      expect(await carol.channels.list().toArray()).toContainEqual(
        expect.objectContaining({ id: channel.id }),
      );
      expect(await carol.chats.join(channel.id)).toMatchObject({
        chat_id: channel.id,
        owner_id: carol.identity.agentId,
      });
      await expect(
        carol.chats.join((await carol.chats.create({ type: "group", name: "private" })).id),
      ).rejects.toMatchObject({
        reason: "NOT_A_CHANNEL",
      });
    });
    it("marks a chat read and sees the unread count on the chat", async () => {
      const chat = await alice.chats.create({
        type: "group",
        name: "reads",
        participants: [{ owner_type: "agent", owner_id: bob.identity.agentId }],
      });
      await bob.chats.markRead(chat.id);
      const first = await alice.messages.send({ chat_id: chat.id, text: "one" });
      await alice.messages.send({ chat_id: chat.id, text: "two" });
      expect((await bob.chats.get(chat.id)).unread_count).toBe(2);
      expect(await bob.chats.markRead(chat.id, first.id)).toMatchObject({
        last_read_message_id: first.id,
        unread_count: 1,
      });
      expect((await bob.chats.markRead(chat.id)).unread_count).toBe(0);
    });
    it("walks every page of a list with for await, newest first", async () => {
      const {
        agents: [dave],
      } = await newCustomer(stack, 1);
      const client = clientOf(dave);
      const created = [];
      for (let i = 0; i < 5; i++)
        created.push(await client.chats.create({ type: "group", name: `chat ${i}` }));
      const seen: string[] = [];
      for await (const chat of client.chats.list({ pageSize: 2 })) seen.push(chat.id);
      expect(seen).toEqual(created.map((c) => c.id).reverse());
      const pages = [];
      for await (const page of client.chats.list({ pageSize: 2 }).pages()) pages.push(page.result.length);
      expect(pages).toEqual([2, 2, 1]);
      expect(await client.chats.list({ pageSize: 2 }).toArray(3)).toHaveLength(3);
    });
    it("lists the agents of my customer", async () => {
      const listed = await alice.agents.list().toArray();
      expect(listed.map((a) => a.id).sort()).toEqual(agents.map((a) => a.id).sort());
      expect(await alice.agents.get(bob.identity.agentId)).toMatchObject({ username: agents[1].username });
    });
  });

  describe("messages", () => {
    let chatId: string;
    beforeAll(async () => {
      chatId = (
        await alice.chats.create({
          type: "group",
          name: "Messages",
          participants: [{ owner_type: "agent", owner_id: bob.identity.agentId }],
        })
      ).id;
    });

    it("sends, replies in a thread, reacts, pages history and deletes", async () => {
      const hello = await alice.messages.send({ chat_id: chatId, text: "Hello team!" });
      const reply = await bob.messages.reply(hello, "Great idea!");
      expect(reply).toMatchObject({ parent_id: hello.id, chat_id: chatId, owner_id: bob.identity.agentId });
      expect(await bob.messages.thread(chatId, hello.id).toArray()).toEqual([reply]);

      const reacted = await bob.messages.react(hello.id, "thumbsup");
      expect(reacted.metadata.reactions).toEqual([
        expect.objectContaining({ emoji: "thumbsup", owner_id: bob.identity.agentId }),
      ]);
      expect((await bob.messages.unreact(hello.id, "thumbsup")).metadata.reactions).toEqual([]);

      const history: Message[] = [];
      for await (const message of alice.messages.list(chatId, { pageSize: 1 })) history.push(message);
      expect(history.slice(0, 2).map((m) => m.id)).toEqual([reply.id, hello.id]);
      expect(history.at(-1)).toMatchObject({ type: "system" });

      await expect(bob.messages.delete(hello.id)).rejects.toMatchObject({
        httpStatus: 403,
        reason: "NOT_THE_AUTHOR",
      });
      expect(await alice.messages.delete(hello.id)).toMatchObject({ id: hello.id, text: "" });
    });
    it("edits with history, pins and searches", async () => {
      const draft = await alice.messages.send({ chat_id: chatId, text: "Kickoff on Munday" });
      const fixed = await alice.messages.edit(draft.id, { text: "Kickoff on Monday" });
      expect(fixed.tm_edit).not.toBe(NOT_DELETED);
      expect((await bob.messages.history(draft.id).toArray()).map((v) => v.text)).toEqual([
        "Kickoff on Munday",
      ]);
      expect(await bob.messages.pin(draft.id)).toMatchObject({ pinned_by: bob.identity.agentId });
      expect((await alice.messages.pins(chatId, { pageSize: 1 }).toArray()).map((m) => m.id)).toEqual([
        draft.id,
      ]);
      const hits = await bob.messages.search("kickoff", { chatId }).toArray();
      expect(hits.map((h) => h.message.id)).toEqual([draft.id]);
      expect(hits[0].snippet).toContain("<mark>Kickoff</mark>");
      expect(await alice.messages.unpin(draft.id)).toMatchObject({ pinned_by: "", tm_pin: NOT_DELETED });
    });
    it("mentions an agent, counts it until read, and lists my mentions and my recent messages", async () => {
      const bobId = bob.identity.agentId;
      await bob.chats.markRead(chatId);
      const ping = await alice.messages.send({ chat_id: chatId, text: `<@${bobId}> standup?` });
      expect(ping.mentions).toEqual([bobId]);
      expect((await bob.chats.get(chatId)).mention_count).toBe(1);
      expect((await bob.messages.mentions({ pageSize: 1 }).toArray()).map((m) => m.id)).toContain(ping.id);
      expect((await bob.messages.mentions({ chatId }).toArray())[0].id).toBe(ping.id);
      expect((await bob.messages.recent({ pageSize: 2 }).toArray())[0].id).toBe(ping.id);
      expect((await bob.chats.markRead(chatId)).mention_count).toBe(0);
      await expect(
        alice.messages.send({ chat_id: chatId, text: `<@${carol.identity.agentId}>` }),
      ).rejects.toMatchObject({ httpStatus: 400, reason: "MENTION_NOT_PARTICIPANT" });
    });
    it("refuses outsiders and bad input with the API's reason and message", async () => {
      const outsider = await carol.messages
        .send({ chat_id: chatId, text: "let me in" })
        .catch((e: unknown) => e);
      expect(outsider).toMatchObject({
        status: "PERMISSION_DENIED",
        httpStatus: 403,
        reason: "NOT_A_PARTICIPANT",
      });
      const parent = await alice.messages
        .send({ chat_id: chatId, text: "x", parent_id: "00000000-0000-4000-8000-000000000000" })
        .catch((e: unknown) => e);
      expect(parent).toMatchObject({
        httpStatus: 404,
        reason: "PARENT_NOT_FOUND",
        message: expect.any(String),
      });
    });
  });

  describe("retries", () => {
    let chatId: string;
    beforeAll(async () => {
      chatId = (await alice.chats.create({ type: "group", name: "Retries" })).id;
    });
    const texts = async (client: TalkClient) =>
      (await client.messages.list(chatId).toArray()).map((m) => m.text);

    it("resends a write whose answer was lost with the same Idempotency-Key, and it takes effect once", async () => {
      const keys: string[] = [];
      let lost = 0;
      const flaky: FetchFunction = async (url, init) => {
        const response = await fetch(url, init);
        if (init.method === "POST") keys.push(new Headers(init.headers).get("idempotency-key") ?? "");
        if (init.method === "POST" && lost++ < 2) throw new TypeError("fetch failed: the answer was lost");
        return response;
      };
      const message = await clientOf(agents[0], { fetch: flaky }).messages.send({
        chat_id: chatId,
        text: "exactly once",
      });
      expect(keys).toHaveLength(3);
      expect(new Set(keys).size).toBe(1);
      expect((await texts(alice)).filter((t) => t === "exactly once")).toHaveLength(1);
      expect(await alice.messages.get(message.id)).toEqual(message);
    });
    it("waits as long as Retry-After says after a 503, then retries", async () => {
      const sent: number[] = [];
      let refused = false;
      const busy: FetchFunction = async (url, init) => {
        sent.push(Date.now());
        if (!refused) {
          refused = true;
          return new Response(
            JSON.stringify({
              error: { status: "UNAVAILABLE", reason: "UNAVAILABLE", message: "busy", request_id: "r" },
            }),
            {
              status: 503,
              headers: { "retry-after": "1" },
            },
          );
        }
        return fetch(url, init);
      };
      await clientOf(agents[0], { fetch: busy }).messages.send({ chat_id: chatId, text: "after a 503" });
      expect(sent).toHaveLength(2);
      expect(sent[1] - sent[0]).toBeGreaterThanOrEqual(950);
    });
    it("gives up after its attempts with a TalkConnectionError, and never retries a refusal", async () => {
      let calls = 0;
      const down: FetchFunction = async () => {
        calls++;
        throw new TypeError("fetch failed");
      };
      await expect(clientOf(agents[0], { fetch: down }).chats.get(chatId)).rejects.toBeInstanceOf(
        TalkConnectionError,
      );
      expect(calls).toBe(4);

      let refusals = 0;
      const counting: FetchFunction = (url, init) => {
        refusals++;
        return fetch(url, init);
      };
      await expect(clientOf(agents[2], { fetch: counting }).chats.get(chatId)).rejects.toMatchObject({
        httpStatus: 403,
      });
      expect(refusals).toBe(1);
    });
  });
});
