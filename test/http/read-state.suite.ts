/**
 * Read state and unread counts (issue 12, docs/decisions/read-state.md), through HTTP, on every
 * stack: marking a chat read (forward only, idempotent), unread counts on every chat the caller
 * gets, last messages, read receipts on participants, and exact counts under concurrent reads and
 * sends.
 */
import { randomUUID } from "node:crypto";
import type { Chat, Message } from "@talk/contracts";
import { type TestAgent, type TestStack, newCustomer } from "../support/stacks";

const chats = "/service_agents/talk_chats";
const messages = "/service_agents/talk_messages";
const ref = (agent: { id: string }) => ({ owner_type: "agent", owner_id: agent.id });

export function describeReadState(name: string, current: () => TestStack): void {
  describe(`read state (${name})`, () => {
    let stack: TestStack;
    let alice: TestAgent, bob: TestAgent, carol: TestAgent;
    let chatId: string;

    const send = async (agent: TestAgent, text: string, chat = chatId): Promise<Message> => {
      const res = await agent.api.post(messages, { chat_id: chat, type: "normal", text });
      expect(res.status).toBe(200);
      return res.body;
    };
    const read = async (agent: TestAgent, body?: object, headers?: Record<string, string>) =>
      agent.api.post(`${chats}/${chatId}/read`, body, headers);
    const chatOf = async (agent: TestAgent, id = chatId): Promise<Chat> => {
      const res = await agent.api.get(`${chats}/${id}`);
      expect(res.status).toBe(200);
      return res.body;
    };
    /** Every message of the chat, newest first, through the public list. */
    const everything = async (agent: TestAgent, id = chatId): Promise<Message[]> => {
      const all: Message[] = [];
      let token = "";
      do {
        const res = await agent.api.get(`${messages}?chat_id=${id}&page_size=100&page_token=${token}`);
        expect(res.status).toBe(200);
        all.push(...res.body.result);
        token = res.body.next_page_token;
      } while (token);
      return all;
    };
    /** What the unread count must be: messages by others newer than the mark (the list is newest first). */
    const expectedUnread = (history: Message[], reader: string, mark: string | null | undefined) => {
      let unread = 0;
      for (const message of history) {
        if (message.id === mark) break;
        if (message.owner_id !== reader) unread += 1;
      }
      return unread;
    };

    beforeEach(async () => {
      stack = current();
      [alice, bob, carol] = (await newCustomer(stack, 3)).agents;
      const chat = await alice.api.post(chats, { type: "group", name: "Reads", participants: [ref(bob)] });
      expect(chat.status).toBe(200);
      chatId = chat.body.id;
    });

    it("counts messages by others after the mark, moves the mark forward only, and keeps tombstones in the count", async () => {
      expect((await read(bob)).status).toBe(200);
      expect((await chatOf(bob)).unread_count).toBe(0);
      const [first, second, third] = [
        await send(alice, "one"),
        await send(alice, "two"),
        await send(alice, "three"),
      ];
      expect(await chatOf(bob)).toMatchObject({ unread_count: 3, last_message: third });
      expect((await chatOf(alice)).unread_count).toBe(0);

      const marked = await read(bob, { message_id: second.id });
      expect(marked.status).toBe(200);
      expect(marked.body).toEqual({
        customer_id: alice.customer_id,
        chat_id: chatId,
        owner_type: "agent",
        owner_id: bob.id,
        last_read_message_id: second.id,
        tm_read: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/),
        unread_count: 1,
        mention_count: 0,
      });
      const back = await read(bob, { message_id: first.id });
      expect(back.status).toBe(200);
      expect(back.body).toEqual(marked.body);

      const deleted = await alice.api.delete(`${messages}/${third.id}`);
      expect(deleted.status).toBe(200);
      expect(await chatOf(bob)).toMatchObject({
        unread_count: 1,
        last_read_message_id: second.id,
        last_message: deleted.body,
      });
    });

    it("moves the sender's own mark to its message", async () => {
      await send(alice, "hello");
      const reply = await send(bob, "hi");
      expect(await chatOf(bob)).toMatchObject({ unread_count: 0, last_read_message_id: reply.id });
      expect((await chatOf(alice)).unread_count).toBe(1);
    });

    it("counts on chat lists and channel lists, and gives nothing to a non-participant", async () => {
      await send(alice, "listed");
      const list = await bob.api.get(`${chats}?page_size=100`);
      expect(list.status).toBe(200);
      const listed = list.body.result.find((c: Chat) => c.id === chatId);
      expect(listed).toEqual(await chatOf(bob));
      expect(listed.unread_count).toBeGreaterThanOrEqual(1);

      const channel = await alice.api.post(chats, { type: "talk", name: `general-${randomUUID()}` });
      const news = await send(alice, "news", channel.body.id);
      const channels = await carol.api.get("/service_agents/talk_channels?page_size=100");
      expect(channels.body.result.find((c: Chat) => c.id === channel.body.id)).toMatchObject({
        unread_count: 0,
        last_read_message_id: null,
        last_message: null,
      });
      expect((await carol.api.post(`${chats}/${channel.body.id}/join`)).status).toBe(200);
      const joined = await chatOf(carol, channel.body.id);
      expect(joined.unread_count).toBe(0);
      await send(alice, "more news", channel.body.id);
      expect((await chatOf(carol, channel.body.id)).unread_count).toBe(1);
      expect(news.id).toBeDefined();
    });

    it("gives each listed chat its last message with its reactions, in the order added, as the message reads", async () => {
      const older = await send(alice, "older");
      const newest = await send(alice, "newest");
      await bob.api.post(`${messages}/${older.id}/reactions`, { emoji: "eyes" });
      await bob.api.post(`${messages}/${newest.id}/reactions`, { emoji: "thumbsup" });
      await alice.api.post(`${messages}/${newest.id}/reactions`, { emoji: "🎉" });
      const other = await alice.api.post(chats, { type: "group", name: "Quiet", participants: [ref(bob)] });
      const message = (await bob.api.get(`${messages}/${newest.id}`)).body;
      expect(message.metadata.reactions.map((r: { emoji: string }) => r.emoji)).toEqual(["thumbsup", "🎉"]);

      const list = await bob.api.get(`${chats}?page_size=100`);
      expect(list.status).toBe(200);
      const byId = new Map(list.body.result.map((c: Chat) => [c.id, c]));
      expect(byId.get(chatId)).toMatchObject({ last_message: message, unread_count: 2, mention_count: 0 });
      expect(byId.get(other.body.id)).toMatchObject({
        last_message: expect.objectContaining({ type: "system" }),
      });
    });

    it("shows each participant's read receipt", async () => {
      const message = await send(alice, "seen?");
      const marked = await read(bob);
      expect(marked.body.last_read_message_id).toBe(message.id);
      const participants = await alice.api.get(`${chats}/${chatId}/participants`);
      expect(participants.status).toBe(200);
      const byAgent = new Map(participants.body.map((p: { owner_id: string }) => [p.owner_id, p]));
      expect(byAgent.get(bob.id)).toMatchObject({
        last_read_message_id: message.id,
        tm_read: marked.body.tm_read,
      });
      expect(byAgent.get(alice.id)).toMatchObject({ last_read_message_id: message.id });
    });

    it("refuses what is not the caller's to mark", async () => {
      const message = await send(alice, "private");
      expect((await carol.api.post(`${chats}/${chatId}/read`)).status).toBeGreaterThanOrEqual(403);
      const elsewhere = await alice.api.post(chats, {
        type: "group",
        name: "Other",
        participants: [ref(bob)],
      });
      const wrong = await bob.api.post(`${chats}/${elsewhere.body.id}/read`, { message_id: message.id });
      expect(wrong.status).toBe(404);
      expect(wrong.body.error.message).toContain(message.id);
      const bad = await read(bob, { message_id: "nope" });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/body\.message_id/);
    });

    it("takes a mark once per Idempotency-Key", async () => {
      await send(alice, "once");
      const key = { "Idempotency-Key": randomUUID() };
      const first = await read(bob, {}, key);
      await send(alice, "twice");
      const again = await read(bob, {}, key);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect((await chatOf(bob)).unread_count).toBe(1);
    });

    it("keeps every unread count exact while 20 agents mark reads and 10 post at once", async () => {
      const { agents } = await newCustomer(stack, 30);
      const [owner, ...others] = agents;
      const readers = agents.slice(0, 20);
      const posters = agents.slice(20);
      const chat = await owner.api.post(chats, {
        type: "group",
        name: "Busy",
        participants: others.map(ref),
      });
      expect(chat.status).toBe(200);
      const id = chat.body.id;
      const posting = posters.map(async (poster, p) => {
        for (let i = 0; i < 5; i++) await send(poster, `message ${i} from ${p}`, id);
      });
      const reading = readers.map(async (reader, r) => {
        for (let i = 0; i < 3; i++) {
          const res = await reader.api.post(`${chats}/${id}/read`);
          expect(res.status).toBe(200);
          if ((r + i) % 2 === 0) await send(reader, `reader ${r} says ${i}`, id);
        }
      });
      await Promise.all([...posting, ...reading]);
      const history = await everything(owner, id);
      for (const agent of agents) {
        const seen = await chatOf(agent, id);
        expect({ agent: agent.id, unread: seen.unread_count }).toEqual({
          agent: agent.id,
          unread: expectedUnread(history, agent.id, seen.last_read_message_id),
        });
      }
    });
  });
}
