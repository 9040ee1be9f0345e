/**
 * The message API (SPEC §2: messages, threads, reactions, medias, history, system messages,
 * idempotent writes), through HTTP, run against every stack.
 */
import { randomUUID } from "node:crypto";
import { NOT_DELETED } from "@talk/contracts";
import { type TestAgent, type TestStack, newCustomer } from "../support/stacks";

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;
const chats = "/service_agents/talk_chats";
const messages = "/service_agents/talk_messages";
const ref = (agent: { id: string }) => ({ owner_type: "agent", owner_id: agent.id });

export function describeMessageApi(name: string, current: () => TestStack): void {
  describe(`message API (${name})`, () => {
    let stack: TestStack;
    let alice: TestAgent, bob: TestAgent, carol: TestAgent;
    let customerId: string;
    let chatId: string;

    const send = async (agent: TestAgent, body: object, headers?: Record<string, string>) => {
      const res = await agent.api.post(messages, { chat_id: chatId, type: "normal", ...body }, headers);
      expect(res.status).toBe(200);
      return res.body;
    };
    const history = async (agent: TestAgent, query = "") =>
      (await agent.api.get(`${messages}?chat_id=${chatId}${query}`)).body.result;

    beforeEach(async () => {
      stack = current();
      const customer = await newCustomer(stack, 3);
      customerId = customer.customerId;
      [alice, bob, carol] = customer.agents;
      const chat = await alice.api.post(chats, {
        type: "group",
        name: "Project Discussion",
        participants: [ref(bob)],
      });
      chatId = chat.body.id;
    });

    describe("sending", () => {
      it("returns the message in the documented shape", async () => {
        const message = await send(alice, { text: "Hello team! Let's discuss the new feature." });
        expect(message).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          customer_id: customerId,
          owner_type: "agent",
          owner_id: alice.id,
          chat_id: chatId,
          type: "normal",
          text: "Hello team! Let's discuss the new feature.",
          medias: [],
          metadata: { reactions: [] },
          tm_create: expect.stringMatching(TIMESTAMP),
          tm_update: expect.stringMatching(TIMESTAMP),
          tm_delete: NOT_DELETED,
          tm_edit: NOT_DELETED,
          pinned_by: "",
          tm_pin: NOT_DELETED,
          mentions: [],
        });
        expect((await bob.api.get(`${messages}/${message.id}`)).body).toEqual(message);
      });
      // File medias name an uploaded file, which fills them in: see file-api.suite.ts.
      it("returns link, address and agent medias exactly as sent, and refuses a media without its field", async () => {
        const medias = [
          { type: "link", link: "https://example.com/doc" },
          { type: "address", address: { type: "tel", target: "+15550100", target_name: "Support" } },
          { type: "agent", agent: { id: bob.id, name: "Bob" } },
        ];
        const message = await send(alice, { text: "Here is the design document.", medias });
        expect(message.medias).toEqual(medias);
        const bad = await alice.api.post(messages, {
          chat_id: chatId,
          type: "normal",
          medias: [{ type: "file", url: "x" }],
        });
        expect(bad.status).toBe(400);
        expect(bad.body.error.message).toMatch(/body\.medias\.0/);
      });
      it("takes VoIPBIN's media field names and answers in Talk's form", async () => {
        const message = await send(alice, {
          text: "From a VoIPBIN client",
          medias: [
            { type: "link", link_url: "https://voipbin.net/docs" },
            { type: "agent", agent_id: bob.id },
          ],
        });
        const talkForm = [
          { type: "link", link: "https://voipbin.net/docs" },
          { type: "agent", agent: { id: bob.id } },
        ];
        expect(message.medias).toEqual(talkForm);
        expect((await bob.api.get(`${messages}/${message.id}`)).body.medias).toEqual(talkForm);
        const unsafe = await alice.api.post(messages, {
          chat_id: chatId,
          type: "normal",
          medias: [{ type: "link", link_url: "javascript:alert(1)" }],
        });
        expect(unsafe.status).toBe(400);
      });
      it("accepts absolute http(s) links only", async () => {
        for (const link of ["javascript:alert(1)", "data:text/html,x", "/relative", "//host/x", "https://"]) {
          const res = await alice.api.post(messages, {
            chat_id: chatId,
            type: "normal",
            medias: [{ type: "link", link }],
          });
          expect({ link, status: res.status, message: res.body.error?.message }).toEqual({
            link,
            status: 400,
            message: "body.medias.0.link must be an absolute http:// or https:// URL",
          });
        }
        const ok = await send(alice, { medias: [{ type: "link", link: "HTTP://example.com/a?b=c#d" }] });
        expect(ok.medias).toEqual([{ type: "link", link: "HTTP://example.com/a?b=c#d" }]);
      });
      it("enforces the text and media limits", async () => {
        const long = await alice.api.post(messages, {
          chat_id: chatId,
          type: "normal",
          text: "x".repeat(16385),
        });
        expect(long.status).toBe(400);
        expect(long.body.error.message).toMatch(/body\.text must be at most 16384 characters/);
        const many = Array.from({ length: 21 }, () => ({ type: "link", link: "https://x" }));
        expect(
          (await alice.api.post(messages, { chat_id: chatId, type: "normal", medias: many })).status,
        ).toBe(400);
        const empty = await alice.api.post(messages, { chat_id: chatId, type: "normal", text: "  " });
        expect(empty.status).toBe(400);
        expect(empty.body.error.reason).toBe("EMPTY_MESSAGE");
      });
      it("refuses system messages from agents", async () => {
        const res = await alice.api.post(messages, {
          chat_id: chatId,
          type: "system",
          text: "Agent B joined the conversation.",
        });
        expect(res.status).toBe(400);
        expect(res.body.error.reason).toBe("SYSTEM_MESSAGE_FORBIDDEN");
        expect(res.body.error.message).toMatch(/^body\.type must be "normal"/);
      });
      it("refuses non-participants with 403 and other customers with 404", async () => {
        const outsider = await carol.api.post(messages, { chat_id: chatId, type: "normal", text: "hi" });
        expect(outsider.status).toBe(403);
        expect(outsider.body.error.reason).toBe("NOT_A_PARTICIPANT");
        expect((await carol.api.get(`${messages}?chat_id=${chatId}`)).status).toBe(403);
        const stranger = (await newCustomer(stack, 1)).agents[0];
        const foreign = await stranger.api.post(messages, { chat_id: chatId, type: "normal", text: "hi" });
        expect(foreign.status).toBe(404);
        expect((await stranger.api.get(`${messages}?chat_id=${chatId}`)).status).toBe(404);
        const unknown = await alice.api.post(messages, { chat_id: randomUUID(), type: "normal", text: "hi" });
        expect(unknown.status).toBe(404);
        expect(unknown.body.error.reason).toBe("CHAT_NOT_FOUND");
      });
      it("lets an agent post right after being added, and refuses it right after being removed", async () => {
        const added = await alice.api.post(`${chats}/${chatId}/participants`, ref(carol));
        expect(
          (await carol.api.post(messages, { chat_id: chatId, type: "normal", text: "I'm in" })).status,
        ).toBe(200);
        expect((await alice.api.delete(`${chats}/${chatId}/participants/${added.body.id}`)).status).toBe(200);
        expect(
          (await carol.api.post(messages, { chat_id: chatId, type: "normal", text: "still here?" })).status,
        ).toBe(403);
      });
      // Sends that arrive together go to message-manager in one request: each keeps its own answer.
      it("answers each of many sends made at the same moment on its own: its message, its refusal, its key's answer", async () => {
        const key = randomUUID();
        const keyed = { chat_id: chatId, type: "normal", text: "keyed" };
        const posts: { agent: TestAgent; body: object; headers?: Record<string, string> }[] = [
          ...Array.from({ length: 12 }, (_, i) => ({ agent: i % 2 ? alice : bob, body: { text: `m${i}` } })),
          ...Array.from({ length: 3 }, () => ({ agent: carol, body: { text: "outsider" } })),
          { agent: alice, body: { chat_id: randomUUID(), text: "nowhere" } },
          ...Array.from({ length: 3 }, () => ({
            agent: alice,
            body: keyed,
            headers: { "idempotency-key": key },
          })),
          { agent: alice, body: { text: "other" }, headers: { "idempotency-key": key } },
        ];
        const answers = await Promise.all(
          posts.map(({ agent, body, headers }) =>
            agent.api.post(messages, { chat_id: chatId, type: "normal", ...body }, headers),
          ),
        );
        const reasons = answers.map((res) => (res.status === 200 ? res.body.text : res.body.error.reason));
        expect(reasons.slice(0, 16)).toEqual([
          ...Array.from({ length: 12 }, (_, i) => `m${i}`),
          ...Array.from({ length: 3 }, () => "NOT_A_PARTICIPANT"),
          "CHAT_NOT_FOUND",
        ]);
        expect(answers.slice(0, 12).map((res) => res.body.owner_id)).toEqual(
          Array.from({ length: 12 }, (_, i) => (i % 2 ? alice : bob).id),
        );
        // The key's request and its other request: whichever came first took the key.
        const keyedAnswers = answers.slice(16);
        const winner = keyedAnswers.find((res) => res.status === 200);
        expect(winner).toBeDefined();
        for (const res of keyedAnswers)
          if (res.status === 200) expect(res.body.id).toBe(winner?.body.id);
          else expect([res.status, res.body.error.reason]).toEqual([409, "IDEMPOTENCY_KEY_REUSED"]);
        const stored = (await history(alice)).map((m: { text: string }) => m.text);
        expect(stored.filter((text: string) => /^m\d+$/.test(text)).sort()).toEqual(
          Array.from({ length: 12 }, (_, i) => `m${i}`).sort(),
        );
        expect(stored.filter((text: string) => text === "keyed" || text === "other")).toHaveLength(1);
      });
      it("takes no messages in a deleted chat", async () => {
        await alice.api.delete(`${chats}/${chatId}`);
        const res = await alice.api.post(messages, { chat_id: chatId, type: "normal", text: "anyone?" });
        expect(res.status).toBe(404);
      });
    });

    describe("system messages", () => {
      it("say who joined and left, once per change", async () => {
        const added = await alice.api.post(`${chats}/${chatId}/participants`, ref(carol));
        await alice.api.post(`${chats}/${chatId}/participants`, ref(carol)); // idempotent: no second message
        await alice.api.delete(`${chats}/${chatId}/participants/${added.body.id}`);
        const list = await history(alice);
        const system = list
          .filter((m: { type: string }) => m.type === "system")
          .map((m: { text: string }) => m.text);
        expect(system).toEqual([
          "Agent 2 left the conversation.",
          "Agent 2 joined the conversation.",
          "Agent 1 joined the conversation.",
          "Agent 0 joined the conversation.",
        ]);
        expect(list[0]).toMatchObject({ owner_type: "system", type: "system", chat_id: chatId });
      });
    });

    describe("threads", () => {
      it("replies to a message of the same chat, replies to replies, and lists one thread", async () => {
        const root = await send(alice, { text: "What's the status of the API integration?" });
        const reply = await send(bob, { text: "Working on authentication now", parent_id: root.id });
        const nested = await send(alice, { text: "Great", parent_id: reply.id });
        await send(bob, { text: "Meeting tomorrow at 2pm" });
        expect(reply.parent_id).toBe(root.id);
        const thread = await history(alice, `&parent_id=${root.id}`);
        expect(thread.map((m: { id: string }) => m.id)).toEqual([reply.id]);
        expect((await history(alice, `&parent_id=${reply.id}`)).map((m: { id: string }) => m.id)).toEqual([
          nested.id,
        ]);
      });
      it('treats parent_id "" as a top-level message', async () => {
        const message = await send(alice, { text: "top", parent_id: "" });
        expect(message).not.toHaveProperty("parent_id");
      });
      it("refuses a parent that does not exist or is in another chat", async () => {
        const missing = await alice.api.post(messages, {
          chat_id: chatId,
          type: "normal",
          text: "re",
          parent_id: randomUUID(),
        });
        expect(missing.status).toBe(404);
        expect(missing.body.error.reason).toBe("PARENT_NOT_FOUND");
        const other = await alice.api.post(chats, { type: "group" });
        const elsewhere = (
          await alice.api.post(messages, { chat_id: other.body.id, type: "normal", text: "there" })
        ).body;
        const wrong = await alice.api.post(messages, {
          chat_id: chatId,
          type: "normal",
          text: "re",
          parent_id: elsewhere.id,
        });
        expect(wrong.status).toBe(400);
        expect(wrong.body.error.reason).toBe("PARENT_IN_OTHER_CHAT");
      });
      it("answers another customer's message id as parent exactly as an unknown id", async () => {
        const stranger = (await newCustomer(stack, 1)).agents[0];
        const theirs = await stranger.api.post(chats, { type: "group", name: "theirs" });
        const foreign = await stranger.api.post(messages, {
          chat_id: theirs.body.id,
          type: "normal",
          text: "x",
        });
        const reply = (parent_id: string) =>
          alice.api.post(messages, { chat_id: chatId, type: "normal", text: "re", parent_id });
        const [viaForeign, viaUnknown] = [await reply(foreign.body.id), await reply(randomUUID())];
        expect(viaForeign.status).toBe(404);
        const withoutId = (res: typeof viaForeign) => ({
          ...res.body.error,
          message: res.body.error.message.replace(/[0-9a-f-]{36}/, "<id>"),
          request_id: undefined,
        });
        expect(withoutId(viaForeign)).toEqual(withoutId(viaUnknown));
      });
      it("keeps a deleted parent's thread as a tombstone", async () => {
        const root = await send(alice, { text: "secret", medias: [{ type: "link", link: "https://x" }] });
        await bob.api.post(`${messages}/${root.id}/reactions`, { emoji: "👍" });
        const reply = await send(bob, { text: "reply", parent_id: root.id });
        const deleted = await alice.api.delete(`${messages}/${root.id}`);
        expect(deleted.status).toBe(200);
        expect(deleted.body).toMatchObject({
          id: root.id,
          text: "",
          medias: [],
          metadata: { reactions: [] },
        });
        expect(deleted.body.tm_delete).not.toBe(NOT_DELETED);
        const listed = await history(bob);
        expect(listed.find((m: { id: string }) => m.id === root.id)).toEqual(deleted.body);
        expect((await history(bob, `&parent_id=${root.id}`)).map((m: { id: string }) => m.id)).toEqual([
          reply.id,
        ]);
        expect((await send(bob, { text: "still replying", parent_id: root.id })).parent_id).toBe(root.id);
      });
      it("lets only the author delete", async () => {
        const message = await send(alice, { text: "mine" });
        const res = await bob.api.delete(`${messages}/${message.id}`);
        expect(res.status).toBe(403);
        expect(res.body.error.reason).toBe("NOT_THE_AUTHOR");
        const system = (await history(alice)).find((m: { type: string }) => m.type === "system");
        expect((await alice.api.delete(`${messages}/${system.id}`)).status).toBe(403);
      });
    });

    describe("reactions", () => {
      it("adds once per emoji and agent, in the order added, and removes only the caller's", async () => {
        const message = await send(alice, { text: "The deployment was successful!" });
        const first = await bob.api.post(`${messages}/${message.id}/reactions`, { emoji: "thumbsup" });
        expect(first.status).toBe(200);
        expect(first.body.metadata.reactions).toEqual([
          {
            emoji: "thumbsup",
            owner_type: "agent",
            owner_id: bob.id,
            tm_create: expect.stringMatching(TIMESTAMP),
          },
        ]);
        await bob.api.post(`${messages}/${message.id}/reactions`, { emoji: "thumbsup" });
        await alice.api.post(`${messages}/${message.id}/reactions`, { emoji: "🎉" });
        await bob.api.post(`${messages}/${message.id}/reactions`, { emoji: "❤️" });
        const reactions = (await alice.api.get(`${messages}/${message.id}`)).body.metadata.reactions;
        expect(reactions.map((r: { emoji: string; owner_id: string }) => [r.emoji, r.owner_id])).toEqual([
          ["thumbsup", bob.id],
          ["🎉", alice.id],
          ["❤️", bob.id],
        ]);
        const removed = await alice.api.delete(`${messages}/${message.id}/reactions`, { emoji: "thumbsup" });
        expect(removed.body.metadata.reactions).toHaveLength(3); // alice had no thumbsup
        const mine = await bob.api.delete(`${messages}/${message.id}/reactions`, { emoji: "thumbsup" });
        expect(mine.body.metadata.reactions.map((r: { emoji: string }) => r.emoji)).toEqual(["🎉", "❤️"]);
      });
      it("keeps every one of 50 concurrent reactions", async () => {
        const crowd = await newCustomer(stack, 50);
        const [owner, ...others] = crowd.agents;
        const room = (await owner.api.post(chats, { type: "group", participants: others.map(ref) })).body;
        const message = (
          await owner.api.post(messages, {
            chat_id: room.id,
            type: "normal",
            text: "Should we deploy today?",
          })
        ).body;
        const results = await Promise.all(
          crowd.agents.map((agent) => agent.api.post(`${messages}/${message.id}/reactions`, { emoji: "👍" })),
        );
        expect(results.every((r) => r.status === 200)).toBe(true);
        const reactions = (await owner.api.get(`${messages}/${message.id}`)).body.metadata.reactions;
        expect(reactions).toHaveLength(50);
        expect(new Set(reactions.map((r: { owner_id: string }) => r.owner_id)).size).toBe(50);
      });
      it("takes at most 50 different emoji on a message, and says so", async () => {
        const message = await send(alice, { text: "react" });
        const react = (emoji: string, by = alice) =>
          by.api.post(`${messages}/${message.id}/reactions`, { emoji });
        for (let i = 0; i < 50; i++) expect((await react(`e${i}`)).status).toBe(200);
        const refused = await react("one-too-many");
        expect(refused.status).toBe(409);
        expect(refused.body.error.reason).toBe("TOO_MANY_REACTIONS");
        expect(refused.body.error.message).toMatch(/50 different emoji/);
        expect((await react("e7", bob)).status).toBe(200);
        const read = await alice.api.get(`${messages}/${message.id}`);
        expect(new Set(read.body.metadata.reactions.map((r: { emoji: string }) => r.emoji)).size).toBe(50);
      });
      it("refuses reactions from non-participants and on deleted messages", async () => {
        const message = await send(alice, { text: "hi" });
        expect((await carol.api.post(`${messages}/${message.id}/reactions`, { emoji: "👀" })).status).toBe(
          403,
        );
        await alice.api.delete(`${messages}/${message.id}`);
        const res = await bob.api.post(`${messages}/${message.id}/reactions`, { emoji: "👀" });
        expect(res.status).toBe(400);
        expect(res.body.error.reason).toBe("MESSAGE_DELETED");
        expect((await bob.api.post(`${messages}/${message.id}/reactions`, { emoji: "" })).status).toBe(400);
      });
    });

    describe("history", () => {
      it("lists newest first with the seed's pagination", async () => {
        const sent = [];
        for (let i = 0; i < 5; i++) sent.push(await send(alice, { text: `message ${i}` }));
        const page = await alice.api.get(`${messages}?chat_id=${chatId}&page_size=3`);
        expect(page.status).toBe(200);
        expect(page.body.result.map((m: { id: string }) => m.id)).toEqual([
          sent[4].id,
          sent[3].id,
          sent[2].id,
        ]);
        expect(page.body.next_page_token).toBe(sent[2].tm_create);
        // without chat_id: the newest messages of all my chats (mentions.suite.ts)
        expect((await alice.api.get(messages)).status).toBe(200);
        expect((await alice.api.get(`${messages}?chat_id=nope`)).status).toBe(400);
      });
      it("pages through 1,000 messages sent concurrently by 10 clients, each exactly once", async () => {
        const senders = [alice, bob];
        const ids: string[] = [];
        await Promise.all(
          Array.from({ length: 10 }, async (_, client) => {
            for (let i = 0; i < 100; i++) {
              const message = await send(senders[client % 2], { text: `client ${client} #${i}` });
              ids.push(message.id);
            }
          }),
        );
        const seen: string[] = [];
        let token = "";
        do {
          const res = await alice.api.get(
            `${messages}?chat_id=${chatId}&page_size=100${token ? `&page_token=${encodeURIComponent(token)}` : ""}`,
          );
          expect(res.status).toBe(200);
          seen.push(
            ...res.body.result
              .filter((m: { type: string }) => m.type === "normal")
              .map((m: { id: string }) => m.id),
          );
          token = res.body.next_page_token;
        } while (token);
        expect(seen).toHaveLength(1000);
        expect(new Set(seen).size).toBe(1000);
        expect([...seen].sort()).toEqual([...ids].sort());
      });
    });

    describe("idempotent writes", () => {
      it("a retried POST with the same Idempotency-Key creates one message", async () => {
        const key = randomUUID();
        const body = { chat_id: chatId, type: "normal", text: "exactly once" };
        const [a, b] = await Promise.all([
          alice.api.post(messages, body, { "idempotency-key": key }),
          alice.api.post(messages, body, { "idempotency-key": key }),
        ]);
        const c = await alice.api.post(messages, body, { "idempotency-key": key });
        expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
        expect(new Set([a.body.id, b.body.id, c.body.id]).size).toBe(1);
        expect(
          (await history(alice)).filter((m: { text: string }) => m.text === "exactly once"),
        ).toHaveLength(1);
      });
      it("the same key with a different request is a 409; keys are the agent's own", async () => {
        const key = randomUUID();
        await alice.api.post(
          messages,
          { chat_id: chatId, type: "normal", text: "one" },
          { "idempotency-key": key },
        );
        const reused = await alice.api.post(
          messages,
          { chat_id: chatId, type: "normal", text: "two" },
          { "idempotency-key": key },
        );
        expect(reused.status).toBe(409);
        expect(reused.body.error.reason).toBe("IDEMPOTENCY_KEY_REUSED");
        const bobs = await bob.api.post(
          messages,
          { chat_id: chatId, type: "normal", text: "one" },
          { "idempotency-key": key },
        );
        expect(bobs.status).toBe(200);
        expect(bobs.body.owner_id).toBe(bob.id);
      });
      it("two admins of one customer do not share keys: each creates its own agent", async () => {
        const admin = await stack.bus.call("agent.create", {
          customer_id: customerId,
          agent: {
            username: `admin-${randomUUID()}`,
            password: "second-admin-password",
            permission: "admin",
          },
        });
        const login = await stack.api.post<{ token: string }>("/auth/login", {
          username: admin.username,
          password: "second-admin-password",
        });
        const second = stack.api.as(login.body.token);
        const key = randomUUID();
        const create = (api: typeof second, username: string) =>
          api.post("/agents", { username, password: "new-agent-password" }, { "idempotency-key": key });
        const first = await create(alice.api, `by-alice-${key}`);
        const other = await create(second, `by-second-${key}`);
        expect([first.status, other.status]).toEqual([200, 200]);
        expect(other.body.username).toBe(`by-second-${key}`);
        expect(other.body.id).not.toBe(first.body.id);
        const retried = await create(alice.api, `by-alice-${key}`);
        expect(retried.body.id).toBe(first.body.id);
      });
      it("applies to chat and participant writes too", async () => {
        const key = randomUUID();
        const first = await alice.api.post(
          chats,
          { type: "group", name: "once" },
          { "idempotency-key": key },
        );
        const again = await alice.api.post(
          chats,
          { type: "group", name: "once" },
          { "idempotency-key": key },
        );
        expect(again.body.id).toBe(first.body.id);
        const bad = await alice.api.post(chats, { type: "group" }, { "idempotency-key": "has spaces" });
        expect(bad.status).toBe(400);
      });
    });
  });
}
