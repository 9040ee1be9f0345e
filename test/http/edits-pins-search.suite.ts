/**
 * Edits with history, pins and search (issue 12), through HTTP and the WebSocket, run against every
 * stack: only the author edits, a message's history lists its earlier versions newest first, pins
 * are any participant's (at most 100 a chat, newest first, idempotent), and a search finds only
 * messages of the chats the caller may read — never of a chat left, never of another customer.
 */
import { NOT_DELETED, type EventFrame } from "@talk/contracts";
import { PushClient } from "../push/support/push-client";
import { type TestAgent, type TestStack, newCustomer } from "../support/stacks";

const chats = "/service_agents/talk_chats";
const messages = "/service_agents/talk_messages";
const ref = (agent: { id: string }) => ({ owner_type: "agent", owner_id: agent.id });
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;

export function describeEditsPinsSearch(name: string, current: () => TestStack): void {
  describe(`edits, pins and search (${name})`, () => {
    let stack: TestStack;
    let alice: TestAgent, bob: TestAgent, carol: TestAgent;
    let chatId: string;

    const group = async (by: TestAgent, others: TestAgent[], type = "group") => {
      const res = await by.api.post(chats, { type, name: "Launch", participants: others.map(ref) });
      expect(res.status).toBe(200);
      return res.body.id as string;
    };
    const send = async (agent: TestAgent, text: string, chat = chatId) => {
      const res = await agent.api.post(messages, { chat_id: chat, type: "normal", text });
      expect(res.status).toBe(200);
      return res.body;
    };
    const search = async (agent: TestAgent, query: string) => {
      const res = await agent.api.get(`${messages}/search?${query}`);
      expect(res.status).toBe(200);
      return res.body as {
        result: { message: { id: string; text: string }; snippet: string }[];
        next_page_token: string;
      };
    };

    beforeEach(async () => {
      stack = current();
      [alice, bob, carol] = (await newCustomer(stack, 3)).agents;
      chatId = await group(alice, [bob]);
    });

    describe("edits", () => {
      it("a message never edited has the sentinel tm_edit, pinned_by '' and the sentinel tm_pin", async () => {
        const message = await send(alice, "Hello");
        expect(message).toMatchObject({ tm_edit: NOT_DELETED, pinned_by: "", tm_pin: NOT_DELETED });
        expect((await bob.api.get(`${messages}/${message.id}`)).body).toEqual(message);
      });

      it("lets only the author edit, and keeps the earlier versions newest first", async () => {
        const message = await send(alice, "Teh launch is on Monday");
        const refused = await bob.api.put(`${messages}/${message.id}`, { text: "hijacked" });
        expect(refused.status).toBe(403);
        expect(refused.body.error.reason).toBe("NOT_THE_AUTHOR");
        expect((await carol.api.put(`${messages}/${message.id}`, { text: "x" })).status).toBe(403);

        const first = await alice.api.put(`${messages}/${message.id}`, { text: "The launch is on Monday" });
        expect(first.status).toBe(200);
        expect(first.body).toMatchObject({
          text: "The launch is on Monday",
          tm_edit: expect.stringMatching(TIMESTAMP),
        });
        expect(first.body.tm_edit).not.toBe(NOT_DELETED);
        const second = await alice.api.put(`${messages}/${message.id}`, { text: "The launch is on Tuesday" });
        expect(second.body.tm_edit > first.body.tm_edit).toBe(true);
        expect((await bob.api.get(`${messages}/${message.id}`)).body).toEqual(second.body);

        const history = await bob.api.get(`${messages}/${message.id}/history`);
        expect(history.status).toBe(200);
        expect(history.body.result.map((v: { text: string }) => v.text)).toEqual([
          "The launch is on Monday",
          "Teh launch is on Monday",
        ]);
        expect(history.body.result[1]).toMatchObject({
          tm_create: message.tm_create,
          tm_replace: first.body.tm_edit,
        });
        const paged = await bob.api.get(`${messages}/${message.id}/history?page_size=1`);
        const rest = await bob.api.get(
          `${messages}/${message.id}/history?page_size=1&page_token=${encodeURIComponent(paged.body.next_page_token)}`,
        );
        expect([...paged.body.result, ...rest.body.result]).toEqual(history.body.result);
        expect((await carol.api.get(`${messages}/${message.id}/history`)).status).toBe(403);
      });

      it("refuses an edit of a system or deleted message, and an edit that leaves it empty", async () => {
        const system = (await alice.api.get(`${messages}?chat_id=${chatId}`)).body.result.find(
          (m: { type: string }) => m.type === "system",
        );
        const onSystem = await alice.api.put(`${messages}/${system.id}`, { text: "mine now" });
        expect(onSystem.status).toBe(403);
        expect(onSystem.body.error.reason).toBe("SYSTEM_MESSAGE_IMMUTABLE");
        const message = await send(alice, "to be deleted");
        expect((await alice.api.put(`${messages}/${message.id}`, { text: " " })).body.error.reason).toBe(
          "EMPTY_MESSAGE",
        );
        expect((await alice.api.put(`${messages}/${message.id}`, {})).status).toBe(400);
        await alice.api.delete(`${messages}/${message.id}`);
        const onDeleted = await alice.api.put(`${messages}/${message.id}`, { text: "back" });
        expect(onDeleted.status).toBe(400);
        expect(onDeleted.body.error.reason).toBe("MESSAGE_DELETED");
      });

      it("takes an Idempotency-Key: a retried edit is made once", async () => {
        const message = await send(alice, "v1");
        const headers = { "Idempotency-Key": `edit-${message.id}` };
        const once = await alice.api.request("PUT", `${messages}/${message.id}`, { text: "v2" }, headers);
        const again = await alice.api.request("PUT", `${messages}/${message.id}`, { text: "v2" }, headers);
        expect(again.body).toEqual(once.body);
        expect((await alice.api.get(`${messages}/${message.id}/history`)).body.result).toHaveLength(1);
      });
    });

    describe("pins", () => {
      it("any participant pins; pinning again changes nothing; the list is newest pin first", async () => {
        const a = await send(alice, "first");
        const b = await send(bob, "second");
        const pinned = await bob.api.post(`${messages}/${a.id}/pin`);
        expect(pinned.status).toBe(200);
        expect(pinned.body).toMatchObject({ pinned_by: bob.id, tm_pin: expect.stringMatching(TIMESTAMP) });
        expect((await alice.api.post(`${messages}/${a.id}/pin`)).body).toEqual(pinned.body);
        await alice.api.post(`${messages}/${b.id}/pin`);
        const list = await bob.api.get(`${chats}/${chatId}/pins`);
        expect(list.body.result.map((m: { id: string }) => m.id)).toEqual([b.id, a.id]);
        expect((await carol.api.get(`${chats}/${chatId}/pins`)).status).toBe(403);
        expect((await carol.api.post(`${messages}/${a.id}/pin`)).status).toBe(403);

        const unpinned = await alice.api.delete(`${messages}/${a.id}/pin`);
        expect(unpinned.body).toMatchObject({ pinned_by: "", tm_pin: NOT_DELETED });
        expect((await alice.api.delete(`${messages}/${a.id}/pin`)).body).toEqual(unpinned.body);
        expect(
          (await bob.api.get(`${chats}/${chatId}/pins`)).body.result.map((m: { id: string }) => m.id),
        ).toEqual([b.id]);
      });

      it("holds at most 100 pins a chat, and the 101st is a 409 that says so", async () => {
        const sent = [];
        for (let i = 0; i < 101; i++) sent.push(await send(alice, `pin me ${i}`));
        for (const message of sent.slice(0, 100))
          expect((await alice.api.post(`${messages}/${message.id}/pin`)).status).toBe(200);
        const refused = await alice.api.post(`${messages}/${sent[100].id}/pin`);
        expect(refused.status).toBe(409);
        expect(refused.body.error).toMatchObject({
          reason: "TOO_MANY_PINS",
          message: expect.stringMatching(/100/),
        });
        const first = await bob.api.get(`${chats}/${chatId}/pins?page_size=60`);
        const second = await bob.api.get(
          `${chats}/${chatId}/pins?page_size=60&page_token=${encodeURIComponent(first.body.next_page_token)}`,
        );
        const ids = [...first.body.result, ...second.body.result].map((m: { id: string }) => m.id);
        expect(ids).toEqual(
          sent
            .slice(0, 100)
            .map((m) => m.id)
            .reverse(),
        );
        expect(second.body.next_page_token).toBe("");
      });
    });

    describe("search", () => {
      it("finds my chats' messages with a highlighted snippet, newest first or by relevance", async () => {
        const older = await send(alice, "the quarterly report is ready <b>now</b>");
        const newer = await send(bob, "report report report: quarterly figures");
        await send(bob, "unrelated chatter");
        const found = await search(alice, "q=report");
        expect(found.result.map((h) => h.message.id)).toEqual([newer.id, older.id]);
        expect(found.result[1].snippet).toContain("<mark>report</mark>");
        const byRelevance = await search(alice, "q=report&order=relevance");
        expect(byRelevance.result[0].message.id).toBe(newer.id);
        expect(
          (await search(alice, `q=report&owner_id=${alice.id}`)).result.map((h) => h.message.id),
        ).toEqual([older.id]);
        const page1 = await search(alice, "q=report&page_size=1");
        const page2 = await search(
          alice,
          `q=report&page_size=1&page_token=${encodeURIComponent(page1.next_page_token)}`,
        );
        expect([...page1.result, ...page2.result].map((h) => h.message.id)).toEqual([newer.id, older.id]);
        expect((await alice.api.get(`${messages}/search`)).status).toBe(400);
      });

      it("never returns a message of a chat the caller left or of another customer", async () => {
        await send(alice, "secret plans for the merger");
        const stranger = (await newCustomer(stack, 1)).agents[0];
        const theirs = await group(stranger, []);
        await send(stranger, "merger talk elsewhere", theirs);
        expect((await search(bob, "q=merger")).result).toHaveLength(1);
        expect((await search(stranger, "q=merger")).result.map((h) => h.message.text)).toEqual([
          "merger talk elsewhere",
        ]);

        const bobs = (await alice.api.get(`${chats}/${chatId}/participants`)).body.find(
          (p: { owner_id: string }) => p.owner_id === bob.id,
        );
        expect((await alice.api.delete(`${chats}/${chatId}/participants/${bobs.id}`)).status).toBe(200);
        expect((await search(bob, "q=merger")).result).toEqual([]);
        expect((await search(bob, "q=merger&channels=all")).result).toEqual([]);
        expect((await search(carol, `q=merger&chat_id=${chatId}`)).result).toEqual([]);
      });

      it("with channels=all also searches the customer's public channels", async () => {
        const channel = await group(alice, [], "talk");
        await send(alice, "announcement: picnic on friday", channel);
        expect((await search(carol, "q=picnic")).result).toEqual([]);
        expect((await search(carol, "q=picnic&channels=all")).result).toHaveLength(1);
      });

      it("finds an edited message by its new text only, and a deleted one not at all", async () => {
        const message = await send(alice, "colour scheme");
        await alice.api.put(`${messages}/${message.id}`, { text: "color palette" });
        expect((await search(bob, "q=colour")).result).toEqual([]);
        expect((await search(bob, "q=palette")).result.map((h) => h.message.id)).toEqual([message.id]);
        await alice.api.delete(`${messages}/${message.id}`);
        expect((await search(bob, "q=palette")).result).toEqual([]);
      });
    });

    it("sends chatmessage_updated, chatmessage_pinned and chatmessage_unpinned to the participants", async () => {
      const message = await send(alice, "watch this");
      const client = await PushClient.connect(stack.wsUrls[0], bob.token);
      try {
        await client.subscribe(`agent_id:${bob.id}:chat`);
        await alice.api.put(`${messages}/${message.id}`, { text: "watched" });
        await carol.api.post(`${messages}/${message.id}/pin`); // not a participant: nothing
        await alice.api.post(`${messages}/${message.id}/pin`);
        await bob.api.delete(`${messages}/${message.id}/pin`);
        const types = ["chatmessage_updated", "chatmessage_pinned", "chatmessage_unpinned"];
        const events = await client.until((c) => {
          const mine = c.frames.filter((f): f is EventFrame => types.includes(f.type));
          return mine.length === 3 && mine;
        }, "the three events");
        expect(events.map((e) => e.type)).toEqual(types);
        expect(events[0].data).toMatchObject({ id: message.id, text: "watched" });
        expect(events[1].data).toMatchObject({ pinned_by: alice.id });
        const seqs = events.map((e) => e.seq);
        expect(seqs[1]).toBe(seqs[0] + 1);
        expect(seqs[2]).toBe(seqs[1] + 1);
        expect(client.invalid).toEqual([]);
      } finally {
        await client.close();
      }
    });
  });
}
