/**
 * Mentions and the lists across chats (issue 12, docs/decisions/mentions.md), through HTTP, on
 * every stack: `<@agent_id>` and `<!here>` in a message's text, participants only; `mention_count`
 * per chat until read, kept right through edits and deletions; `GET talk_messages?mentions=me` and
 * the chat-less list, newest first, each message exactly once while others post.
 */
import type { Chat, Message } from "@talk/contracts";
import { type TestAgent, type TestStack, newCustomer } from "../support/stacks";

const chats = "/service_agents/talk_chats";
const messages = "/service_agents/talk_messages";
const ref = (agent: { id: string }) => ({ owner_type: "agent", owner_id: agent.id });

export function describeMentions(name: string, current: () => TestStack): void {
  describe(`mentions and lists across chats (${name})`, () => {
    let stack: TestStack;
    let alice: TestAgent, bob: TestAgent, carol: TestAgent, dave: TestAgent;
    let chatId: string;

    const post = (agent: TestAgent, text: string, chat = chatId) =>
      agent.api.post(messages, { chat_id: chat, type: "normal", text });
    const send = async (agent: TestAgent, text: string, chat = chatId): Promise<Message> => {
      const res = await post(agent, text, chat);
      expect(res.status).toBe(200);
      return res.body;
    };
    const chatOf = async (agent: TestAgent, id = chatId): Promise<Chat> => {
      const res = await agent.api.get(`${chats}/${id}`);
      expect(res.status).toBe(200);
      return res.body;
    };
    const group = async (by: TestAgent, others: TestAgent[]) => {
      const res = await by.api.post(chats, {
        type: "group",
        name: "Mentions",
        participants: others.map(ref),
      });
      expect(res.status).toBe(200);
      return res.body.id as string;
    };
    /** Every page of a list, following next_page_token; `between` runs after each page. */
    const pages = async (agent: TestAgent, query: string, between?: () => Promise<unknown>) => {
      const all: Message[] = [];
      let token = "";
      do {
        const res = await agent.api.get(`${messages}?${query}&page_token=${encodeURIComponent(token)}`);
        expect(res.status).toBe(200);
        all.push(...res.body.result);
        token = res.body.next_page_token;
        await between?.();
      } while (token);
      return all;
    };

    beforeEach(async () => {
      stack = current();
      [alice, bob, carol, dave] = (await newCustomer(stack, 4)).agents;
      chatId = await group(alice, [bob, carol]);
    });

    it("mentions the participants named with <@agent_id>, and every other participant with <!here>", async () => {
      const named = await send(alice, `<@${bob.id}> and <@${carol.id.toUpperCase()}>, <@${bob.id}>: look`);
      expect(named.mentions).toEqual([bob.id, carol.id]);
      const here = await send(bob, "<!here> standup");
      expect([...here.mentions].sort()).toEqual([alice.id, carol.id].sort());
      expect((await send(alice, "nobody")).mentions).toEqual([]);
      expect((await bob.api.get(`${messages}/${named.id}`)).body.mentions).toEqual([bob.id, carol.id]);
    });

    it("refuses a mention of a non-participant or of something that is not an agent id, naming it", async () => {
      const stranger = await post(alice, `hey <@${dave.id}>`);
      expect(stranger.status).toBe(400);
      expect(stranger.body.error).toMatchObject({ reason: "MENTION_NOT_PARTICIPANT" });
      expect(stranger.body.error.message).toContain(dave.id);
      const unknown = await post(alice, "hey <@00000000-0000-4000-8000-000000000000>");
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toContain("00000000-0000-4000-8000-000000000000");
      const malformed = await post(alice, "hey <@bob>");
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.message).toContain("<@bob>");
      // an agent added a moment ago can be mentioned at once
      expect((await alice.api.post(`${chats}/${chatId}/participants`, ref(dave))).status).toBe(200);
      expect((await send(alice, `welcome <@${dave.id}>`)).mentions).toEqual([dave.id]);
    });

    it("counts mentions until read, and keeps the count right through edits and deletions", async () => {
      expect((await bob.api.post(`${chats}/${chatId}/read`)).status).toBe(200);
      const first = await send(alice, `<@${bob.id}> one`);
      await send(alice, "plain");
      const third = await send(carol, `<!here> three`);
      expect(await chatOf(bob)).toMatchObject({ unread_count: 3, mention_count: 2 });
      expect(await chatOf(alice)).toMatchObject({ mention_count: 1 });

      const unmention = await alice.api.put(`${messages}/${first.id}`, { text: "one, no one" });
      expect(unmention.status).toBe(200);
      expect(unmention.body.mentions).toEqual([]);
      expect((await chatOf(bob)).mention_count).toBe(1);
      const mention = await alice.api.put(`${messages}/${first.id}`, { text: `<@${bob.id}> one again` });
      expect(mention.body.mentions).toEqual([bob.id]);
      expect((await chatOf(bob)).mention_count).toBe(2);
      const refused = await alice.api.put(`${messages}/${first.id}`, { text: `<@${dave.id}>` });
      expect(refused.status).toBe(400);
      expect(refused.body.error.reason).toBe("MENTION_NOT_PARTICIPANT");

      const deleted = await carol.api.delete(`${messages}/${third.id}`);
      expect(deleted.body.mentions).toEqual([]);
      expect((await chatOf(bob)).mention_count).toBe(1);

      const marked = await bob.api.post(`${chats}/${chatId}/read`, { message_id: first.id });
      expect(marked.body).toMatchObject({ mention_count: 0, unread_count: 2 });
      expect((await chatOf(bob)).mention_count).toBe(0);
      const later = await send(carol, `<@${bob.id}> later`);
      const list = await bob.api.get(`${chats}?page_size=100`);
      expect(list.body.result.find((c: Chat) => c.id === chatId)).toMatchObject({
        mention_count: 1,
        last_message: later,
      });
      expect((await bob.api.post(`${chats}/${chatId}/read`)).body.mention_count).toBe(0);
    });

    it("lists the messages that mention me across my chats, newest first, but none of a chat I left", async () => {
      const other = await group(carol, [bob]);
      const a = await send(alice, `<@${bob.id}> a`);
      await send(alice, `<@${carol.id}> not bob`);
      const b = await send(carol, `<@${bob.id}> b`, other);
      const c = await send(carol, `<!here> c`);
      const mine = await bob.api.get(`${messages}?mentions=me`);
      expect(mine.status).toBe(200);
      expect(mine.body.result.map((m: Message) => m.id)).toEqual([c.id, b.id, a.id]);
      const inOne = await bob.api.get(`${messages}?mentions=me&chat_id=${other}`);
      expect(inOne.body.result.map((m: Message) => m.id)).toEqual([b.id]);

      const bobs = (await bob.api.get(`${chats}/${chatId}/participants`)).body.find(
        (p: { owner_id: string }) => p.owner_id === bob.id,
      );
      expect((await bob.api.delete(`${chats}/${chatId}/participants/${bobs.id}`)).status).toBe(200);
      const after = await bob.api.get(`${messages}?mentions=me`);
      expect(after.body.result.map((m: Message) => m.id)).toEqual([b.id]);
      expect((await dave.api.get(`${messages}?mentions=me`)).body).toEqual({
        result: [],
        next_page_token: "",
      });

      const wrong = await bob.api.get(`${messages}?mentions=bob`);
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.message).toContain("query.mentions");
      const badToken = await bob.api.get(`${messages}?mentions=me&page_token=nope`);
      expect(badToken.status).toBe(400);
      expect(badToken.body.error.reason).toBe("INVALID_PAGE_TOKEN");
    });

    it("lists the newest messages of all my chats without chat_id, and none of another's chat", async () => {
      const other = await group(bob, [dave]);
      const mine = [await send(alice, "1"), await send(bob, "2", other), await send(carol, "3")];
      const secret = await group(carol, [dave]);
      await send(dave, "not for bob", secret);
      const listed = await pages(bob, "page_size=2");
      const ids = listed.map((m) => m.id);
      for (const message of mine) expect(ids).toContain(message.id);
      expect(listed.some((m) => m.chat_id === secret)).toBe(false);
      const times = listed.map((m) => m.tm_create);
      expect(times).toEqual([...times].sort().reverse());
      expect(new Set(ids).size).toBe(ids.length);
    });

    it("pages mentions=me and the chat-less list while others post, each message exactly once", async () => {
      const { agents } = await newCustomer(stack, 4);
      const [reader, ...posters] = agents;
      const rooms = [await group(reader, posters), await group(posters[0], [reader])];
      const before: Message[] = [];
      // posters[0] is in both rooms, the others in the first only
      const poster = (i: number, room: number) => (room === 0 ? posters[i % 3] : posters[0]);
      for (let i = 0; i < 24; i++)
        before.push(await send(poster(i, i % 2), `<@${reader.id}> before ${i}`, rooms[i % 2]));
      let n = 0;
      const postMore = async () => {
        n += 1;
        await Promise.all(rooms.map((room, r) => send(poster(n, r), `<@${reader.id}> during ${n}`, room)));
      };
      for (const query of ["mentions=me&page_size=5", "page_size=5"]) {
        const listed = await pages(reader, query, postMore);
        const ids = listed.map((m) => m.id);
        expect(new Set(ids).size).toBe(ids.length);
        const seen = new Set(ids);
        expect(before.filter((m) => !seen.has(m.id))).toEqual([]);
        const keys = listed.map((m) => `${m.tm_create} ${m.id}`);
        expect(keys).toEqual([...keys].sort().reverse());
      }
    });
  });
}
