/**
 * The chat and participant API (SPEC §2), through HTTP, run against every stack. A stack is
 * started once per file; each test makes its own customer so tests never see each other's data.
 */
import { randomUUID } from "node:crypto";
import { type EventEnvelope, NOT_DELETED } from "@talk/contracts";
import { waitFor } from "@talk/testkit";
import { type TestAgent, type TestStack, newCustomer } from "../support/stacks";

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;
const chats = "/service_agents/talk_chats";
const ref = (agent: { id: string }) => ({ owner_type: "agent", owner_id: agent.id });

export function describeChatApi(name: string, current: () => TestStack): void {
  describe(`chat API (${name})`, () => {
    let stack: TestStack;
    let alice: TestAgent, bob: TestAgent, carol: TestAgent;
    let customerId: string;

    beforeEach(async () => {
      stack = current();
      const customer = await newCustomer(stack, 3);
      customerId = customer.customerId;
      [alice, bob, carol] = customer.agents;
    });

    const group = async (owner: TestAgent, members: TestAgent[] = [], extra: object = {}) => {
      const res = await owner.api.post(chats, {
        type: "group",
        name: "Project Discussion",
        participants: members.map(ref),
        ...extra,
      });
      expect(res.status).toBe(200);
      return res.body;
    };

    describe("authentication", () => {
      it("logs in with a username and password and returns a token", async () => {
        const res = await stack.api.post("/auth/login", {
          username: alice.username,
          password: `password-0-${customerId}`,
        });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ username: alice.username, token: expect.any(String) });
      });
      it("refuses a wrong password with 401", async () => {
        const res = await stack.api.post("/auth/login", { username: alice.username, password: "nope" });
        expect(res.status).toBe(401);
        expect(res.body.error).toMatchObject({ status: "UNAUTHENTICATED", reason: "INVALID_CREDENTIALS" });
      });
      it("names the missing field of a login", async () => {
        const res = await stack.api.post("/auth/login", { username: "x" });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/body\.password is required/);
      });
      it("refuses requests without a token, or with a forged one, with 401", async () => {
        expect((await stack.api.get(chats)).status).toBe(401);
        const forged = await stack.api.as(alice.token.slice(0, -4) + "AAAA").get(chats);
        expect(forged.status).toBe(401);
        expect(forged.body.error.reason).toBe("TOKEN_INVALID");
      });
      it("accepts the token as ?token=", async () => {
        const res = await stack.api.get(`${chats}?token=${encodeURIComponent(alice.token)}`);
        expect(res.status).toBe(200);
      });
    });

    describe("wire conventions", () => {
      it("gives every response an X-Request-Id and adopts the caller's", async () => {
        const ok = await alice.api.get(chats, { "x-request-id": "trace-abc-123" });
        expect(ok.headers.get("x-request-id")).toBe("trace-abc-123");
        const failed = await alice.api.get(`${chats}/${randomUUID()}`);
        expect(failed.headers.get("x-request-id")).toBeTruthy();
        expect(failed.body.error.request_id).toBe(failed.headers.get("x-request-id"));
      });
      it("answers a body over the limit with 413 and malformed JSON with 400", async () => {
        const big = await alice.api.post(chats, { type: "group", name: "x".repeat(300 * 1024) });
        expect(big.status).toBe(413);
        expect(big.body.error.status).toBe("PAYLOAD_TOO_LARGE");
        const malformed = await alice.api.post(chats, "{not json");
        expect(malformed.status).toBe(400);
        expect(malformed.body.error.reason).toBe("MALFORMED_JSON");
      });
      it("marks every API answer nosniff, unframeable and allowed to run nothing", async () => {
        for (const res of [await alice.api.get(chats), await alice.api.get(`${chats}/${randomUUID()}`)]) {
          expect(res.headers.get("x-content-type-options")).toBe("nosniff");
          expect(res.headers.get("content-security-policy")).toBe(
            "default-src 'none';frame-ancestors 'none'",
          );
          expect(res.headers.get("x-frame-options")).toBe("DENY");
        }
      });
      it("serves the console with a strict Content-Security-Policy", async () => {
        const page = await fetch(`${stack.api.baseUrl}/`);
        expect(page.headers.get("x-content-type-options")).toBe("nosniff");
        const csp = page.headers.get("content-security-policy") ?? "";
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("object-src 'none'");
        expect(csp).not.toContain("unsafe-inline");
      });
      it("answers an unknown route with a 404 envelope", async () => {
        const res = await alice.api.get("/nowhere");
        expect(res.status).toBe(404);
        expect(res.body.error).toMatchObject({ status: "NOT_FOUND", reason: "ROUTE_NOT_FOUND" });
      });
      it("serves an OpenAPI 3.1 document built from the schemas", async () => {
        const res = await stack.api.get("/openapi.json");
        expect(res.status).toBe(200);
        expect(res.body.openapi).toBe("3.1.0");
        expect(Object.keys(res.body.paths)).toEqual(
          expect.arrayContaining([chats, `${chats}/{id}/participants`, "/service_agents/talk_channels"]),
        );
        expect(res.body.components.schemas.Chat.required).toContain("member_count");
      });
      it("serves the AsyncAPI documents of every event and of the WebSocket", async () => {
        const res = await stack.api.get("/asyncapi.json");
        expect(res.status).toBe(200);
        expect(res.body.asyncapi).toBe("3.1.0");
        expect(Object.keys(res.body.channels)).toContain("chatmessage_created");
        const ws = await stack.api.get("/asyncapi-websocket.json");
        expect(ws.status).toBe(200);
        expect(Object.keys(ws.body.channels.ws.messages)).toEqual(
          expect.arrayContaining(["subscribe", "subscribed", "resync_required", "chatmessage_created"]),
        );
      });
      it("refuses an id that is not a UUID with 400 naming it", async () => {
        const res = await alice.api.get(`${chats}/not-a-uuid`);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/path\.id must be a lowercase UUID/);
      });
    });

    describe("agents", () => {
      it("lists the agents of my customer only, and gets one", async () => {
        const other = await newCustomer(stack, 1);
        const list = await alice.api.get("/agents");
        expect(list.status).toBe(200);
        expect(list.body.result.map((a: { id: string }) => a.id).sort()).toEqual(
          [alice.id, bob.id, carol.id].sort(),
        );
        expect(list.body.result[0]).not.toHaveProperty("password_hash");
        expect((await alice.api.get(`/agents/${bob.id}`)).body).toMatchObject({
          id: bob.id,
          username: bob.username,
        });
        expect((await alice.api.get(`/agents/${other.agents[0].id}`)).status).toBe(404);
      });
      it("lets an admin create an agent who can then log in, and refuses a taken username", async () => {
        const username = `new-${randomUUID().slice(0, 8)}`;
        const created = await alice.api.post("/agents", {
          username,
          password: "long-enough-password",
          name: "Newbie",
        });
        expect(created.status).toBe(200);
        expect(created.body).toMatchObject({
          username,
          name: "Newbie",
          customer_id: customerId,
          permission: "agent",
        });
        expect(
          (await stack.api.post("/auth/login", { username, password: "long-enough-password" })).status,
        ).toBe(200);
        expect((await alice.api.post("/agents", { username, password: "long-enough-password" })).status).toBe(
          409,
        );
        expect(
          (await bob.api.post("/agents", { username: "x" + username, password: "long-enough-password" }))
            .status,
        ).toBe(403);
      });
    });

    describe("creating chats", () => {
      it("creates a group with the creator added, an exact member_count and the documented shape", async () => {
        const chat = await group(alice, [bob, carol], { detail: "Q1" });
        expect(chat).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          customer_id: customerId,
          type: "group",
          name: "Project Discussion",
          detail: "Q1",
          member_count: 3,
          tm_create: expect.stringMatching(TIMESTAMP),
          tm_update: expect.stringMatching(TIMESTAMP),
          tm_delete: NOT_DELETED,
        });
        const participants = await alice.api.get(`${chats}/${chat.id}/participants`);
        expect(participants.status).toBe(200);
        expect(participants.body.map((p: { owner_id: string }) => p.owner_id).sort()).toEqual(
          [alice.id, bob.id, carol.id].sort(),
        );
        expect(participants.body[0]).toEqual({
          id: expect.any(String),
          customer_id: customerId,
          owner_type: "agent",
          owner_id: expect.any(String),
          chat_id: chat.id,
          tm_joined: expect.stringMatching(TIMESTAMP),
          // read receipts: each participant has read up to its own join message
          last_read_message_id: expect.any(String),
          tm_read: expect.stringMatching(TIMESTAMP),
        });
      });
      it("counts the creator once even when listed among the participants", async () => {
        expect((await group(alice, [alice, bob, bob])).member_count).toBe(2);
      });
      it("returns the existing direct chat between the same two agents, whoever creates it", async () => {
        const first = await alice.api.post(chats, { type: "direct", participants: [ref(bob)] });
        expect(first.status).toBe(200);
        expect(first.body.member_count).toBe(2);
        const again = await bob.api.post(chats, { type: "direct", participants: [ref(alice)] });
        expect(again.body.id).toBe(first.body.id);
        const concurrent = await Promise.all(
          [1, 2, 3, 4, 5].map(() => alice.api.post(chats, { type: "direct", participants: [ref(carol)] })),
        );
        expect(new Set(concurrent.map((r) => r.body.id)).size).toBe(1);
      });
      it("refuses a direct chat without exactly one other agent", async () => {
        const none = await alice.api.post(chats, { type: "direct" });
        expect(none.status).toBe(400);
        expect(none.body.error.reason).toBe("DIRECT_CHAT_NEEDS_ONE_OTHER");
        expect(
          (await alice.api.post(chats, { type: "direct", participants: [ref(bob), ref(carol)] })).status,
        ).toBe(400);
      });
      it("refuses participants that are not agents of my customer", async () => {
        const stranger = (await newCustomer(stack, 1)).agents[0];
        const foreign = await alice.api.post(chats, { type: "group", participants: [ref(stranger)] });
        expect(foreign.status).toBe(404);
        expect(foreign.body.error.reason).toBe("AGENT_NOT_FOUND");
        expect(foreign.body.error.message).toContain(stranger.id);
        const badType = await alice.api.post(chats, {
          type: "group",
          participants: [{ owner_type: "robot", owner_id: bob.id }],
        });
        expect(badType.status).toBe(400);
        expect(badType.body.error.message).toMatch(/body\.participants\.0\.owner_type must be one of: agent/);
        const badId = await alice.api.post(chats, {
          type: "group",
          participants: [{ owner_type: "agent", owner_id: "agent-uuid-1" }],
        });
        expect(badId.status).toBe(400);
        expect(badId.body.error.message).toMatch(/body\.participants\.0\.owner_id must be a lowercase UUID/);
      });
      it("refuses an unknown chat type, naming the field", async () => {
        const res = await alice.api.post(chats, { type: "normal" });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/body\.type must be one of: direct, group, talk/);
      });
    });

    describe("reading chats", () => {
      it("lists only my chats, newest first, and pages through them without skips or repeats", async () => {
        const mine = [];
        for (let i = 0; i < 5; i++) mine.push(await group(alice, [bob]));
        await group(carol); // not mine
        const seen: string[] = [];
        let token = "";
        let pages = 0;
        do {
          const res = await alice.api.get(
            `${chats}?page_size=2${token ? `&page_token=${encodeURIComponent(token)}` : ""}`,
          );
          expect(res.status).toBe(200);
          seen.push(...res.body.result.map((c: { id: string }) => c.id));
          token = res.body.next_page_token;
          pages++;
        } while (token && pages < 10);
        expect(seen).toEqual(mine.map((c) => c.id).reverse());
        expect(pages).toBe(3);
      });
      it("never skips or repeats chats created concurrently", async () => {
        const created = await Promise.all(
          Array.from({ length: 12 }, () => alice.api.post(chats, { type: "group" })),
        );
        const ids = created.map((r) => r.body.id).sort();
        const seen: string[] = [];
        let token = "";
        do {
          const res = await alice.api.get(
            `${chats}?page_size=5${token ? `&page_token=${encodeURIComponent(token)}` : ""}`,
          );
          seen.push(...res.body.result.map((c: { id: string }) => c.id));
          token = res.body.next_page_token;
        } while (token);
        expect(seen.sort()).toEqual(ids);
      });
      it("validates and clamps page_size and page_token", async () => {
        expect((await alice.api.get(`${chats}?page_size=0`)).status).toBe(400);
        expect((await alice.api.get(`${chats}?page_size=ten`)).status).toBe(400);
        expect((await alice.api.get(`${chats}?page_size=1000`)).status).toBe(200);
        const token = await alice.api.get(`${chats}?page_token=yesterday`);
        expect(token.status).toBe(400);
        expect(token.body.error.reason).toBe("INVALID_PAGE_TOKEN");
      });
      it("gets a chat for its participants; 403 for other agents; 404 for another customer or an unknown id", async () => {
        const chat = await group(alice, [bob]);
        expect((await bob.api.get(`${chats}/${chat.id}`)).body).toEqual({
          ...chat,
          unread_count: expect.any(Number),
          mention_count: 0,
          last_read_message_id: expect.any(String),
          last_message: expect.objectContaining({ chat_id: chat.id, type: "system" }),
        });
        const outsider = await carol.api.get(`${chats}/${chat.id}`);
        expect(outsider.status).toBe(403);
        expect(outsider.body.error.reason).toBe("NOT_A_PARTICIPANT");
        const stranger = (await newCustomer(stack, 1)).agents[0];
        const foreign = await stranger.api.get(`${chats}/${chat.id}`);
        expect(foreign.status).toBe(404);
        expect(foreign.body.error.reason).toBe("CHAT_NOT_FOUND");
        expect((await alice.api.get(`${chats}/${randomUUID()}`)).status).toBe(404);
        expect((await stranger.api.get(`${chats}/${chat.id}/participants`)).status).toBe(404);
      });
    });

    describe("updating and deleting chats", () => {
      it("updates name and detail for participants only", async () => {
        const chat = await group(alice, [bob]);
        const updated = await bob.api.put(`${chats}/${chat.id}`, { name: "Renamed", detail: "new detail" });
        expect(updated.status).toBe(200);
        expect(updated.body).toMatchObject({
          id: chat.id,
          name: "Renamed",
          detail: "new detail",
          member_count: 2,
        });
        expect(updated.body.tm_update > chat.tm_update).toBe(true);
        expect((await carol.api.put(`${chats}/${chat.id}`, { name: "Hijack" })).status).toBe(403);
        expect((await alice.api.put(`${chats}/${chat.id}`, {})).status).toBe(400);
        expect((await alice.api.put(`${chats}/${chat.id}`, { type: "talk" })).status).toBe(400);
      });
      it("soft-deletes: gone from lists, GET shows tm_delete, and no more writes", async () => {
        const chat = await group(alice, [bob]);
        const deleted = await alice.api.delete(`${chats}/${chat.id}`);
        expect(deleted.status).toBe(200);
        expect(deleted.body.tm_delete).toMatch(TIMESTAMP);
        expect(deleted.body.tm_delete).not.toBe(NOT_DELETED);
        const list = await alice.api.get(chats);
        expect(list.body.result.map((c: { id: string }) => c.id)).not.toContain(chat.id);
        expect((await alice.api.get(`${chats}/${chat.id}`)).body.tm_delete).toBe(deleted.body.tm_delete);
        expect((await alice.api.put(`${chats}/${chat.id}`, { name: "x" })).status).toBe(404);
        expect((await alice.api.post(`${chats}/${chat.id}/participants`, ref(carol))).status).toBe(404);
        expect((await alice.api.delete(`${chats}/${chat.id}`)).status).toBe(404);
      });
      it("a channel is deleted or renamed only by its creator or a customer admin, not by who joined", async () => {
        // alice is the customer's admin; bob and carol are agents.
        const channel = (await bob.api.post(chats, { type: "talk", name: "Announcements" })).body;
        expect((await carol.api.post(`${chats}/${channel.id}/join`)).status).toBe(200);
        const renamed = await carol.api.put(`${chats}/${channel.id}`, { name: "Hijacked" });
        expect(renamed.status).toBe(403);
        expect(renamed.body.error.reason).toBe("NOT_CHAT_CREATOR");
        const refused = await carol.api.delete(`${chats}/${channel.id}`);
        expect(refused.status).toBe(403);
        expect(refused.body.error.reason).toBe("NOT_CHAT_CREATOR");
        expect((await carol.api.get(`${chats}/${channel.id}`)).body.tm_delete).toBe(NOT_DELETED);
        expect((await bob.api.put(`${chats}/${channel.id}`, { detail: "read me" })).status).toBe(200);
        expect((await alice.api.put(`${chats}/${channel.id}`, { name: "Moderated" })).status).toBe(200);
        expect((await alice.api.delete(`${chats}/${channel.id}`)).status).toBe(200);
      });
      it("a group is deleted only by its creator or a customer admin; a direct chat by either agent", async () => {
        const byBob = (await bob.api.post(chats, { type: "group", name: "g", participants: [ref(carol)] }))
          .body;
        expect((await carol.api.delete(`${chats}/${byBob.id}`)).status).toBe(403);
        expect((await carol.api.put(`${chats}/${byBob.id}`, { name: "still ours" })).status).toBe(200);
        expect((await bob.api.delete(`${chats}/${byBob.id}`)).status).toBe(200);
        const another = (await bob.api.post(chats, { type: "group", name: "h" })).body;
        expect((await alice.api.delete(`${chats}/${another.id}`)).status).toBe(200);
        const direct = (await bob.api.post(chats, { type: "direct", participants: [ref(carol)] })).body;
        expect((await alice.api.delete(`${chats}/${direct.id}`)).status).toBe(403);
        expect((await carol.api.delete(`${chats}/${direct.id}`)).status).toBe(200);
      });
      it("creates a new direct chat once the old one was deleted", async () => {
        const first = (await alice.api.post(chats, { type: "direct", participants: [ref(bob)] })).body;
        await alice.api.delete(`${chats}/${first.id}`);
        const second = (await alice.api.post(chats, { type: "direct", participants: [ref(bob)] })).body;
        expect(second.id).not.toBe(first.id);
      });
    });

    describe("participants", () => {
      it("adds a participant once: re-adding returns the same record and the count stays exact", async () => {
        const chat = await group(alice);
        const added = await alice.api.post(`${chats}/${chat.id}/participants`, ref(bob));
        expect(added.status).toBe(200);
        expect(added.body).toMatchObject({
          customer_id: customerId,
          owner_type: "agent",
          owner_id: bob.id,
          chat_id: chat.id,
        });
        const again = await alice.api.post(`${chats}/${chat.id}/participants`, ref(bob));
        expect(again.body).toEqual(added.body);
        const concurrent = await Promise.all(
          Array.from({ length: 8 }, () => alice.api.post(`${chats}/${chat.id}/participants`, ref(carol))),
        );
        expect(new Set(concurrent.map((r) => r.body.id)).size).toBe(1);
        expect((await alice.api.get(`${chats}/${chat.id}`)).body.member_count).toBe(3);
      });
      it("removes (hard) and re-adds with a new id and tm_joined", async () => {
        const chat = await group(alice, [bob]);
        const bobs = (await alice.api.get(`${chats}/${chat.id}/participants`)).body.find(
          (p: { owner_id: string }) => p.owner_id === bob.id,
        );
        const removed = await alice.api.delete(`${chats}/${chat.id}/participants/${bobs.id}`);
        expect(removed.status).toBe(200);
        const { last_read_message_id: readUpTo, tm_read: readAt, ...record } = bobs;
        expect([readUpTo, readAt]).toEqual([expect.any(String), expect.stringMatching(TIMESTAMP)]);
        expect(removed.body).toEqual(record);
        expect((await alice.api.get(`${chats}/${chat.id}`)).body.member_count).toBe(1);
        expect((await alice.api.delete(`${chats}/${chat.id}/participants/${bobs.id}`)).status).toBe(404);
        const readded = await alice.api.post(`${chats}/${chat.id}/participants`, ref(bob));
        expect(readded.body.id).not.toBe(bobs.id);
        expect(readded.body.tm_joined > bobs.tm_joined).toBe(true);
      });
      it("refuses to remove a participant through another chat's path", async () => {
        const one = await group(alice, [bob]);
        const two = await group(alice, [bob]);
        const inOne = (await alice.api.get(`${chats}/${one.id}/participants`)).body[0];
        const res = await alice.api.delete(`${chats}/${two.id}/participants/${inOne.id}`);
        expect(res.status).toBe(404);
        expect(res.body.error.reason).toBe("PARTICIPANT_NOT_FOUND");
        expect((await alice.api.get(`${chats}/${one.id}`)).body.member_count).toBe(2);
      });
      it("lets only participants manage participants, and anyone leave", async () => {
        const chat = await group(alice, [bob]);
        expect((await carol.api.post(`${chats}/${chat.id}/participants`, ref(carol))).status).toBe(403);
        const bobs = (await bob.api.get(`${chats}/${chat.id}/participants`)).body.find(
          (p: { owner_id: string }) => p.owner_id === bob.id,
        );
        expect((await bob.api.delete(`${chats}/${chat.id}/participants/${bobs.id}`)).status).toBe(200);
        expect((await bob.api.get(`${chats}/${chat.id}`)).status).toBe(403);
      });
      it("keeps a direct chat to its two agents", async () => {
        const direct = (await alice.api.post(chats, { type: "direct", participants: [ref(bob)] })).body;
        const third = await alice.api.post(`${chats}/${direct.id}/participants`, ref(carol));
        expect(third.status).toBe(400);
        expect(third.body.error.reason).toBe("DIRECT_CHAT_FULL");
        const bobs = (await alice.api.get(`${chats}/${direct.id}/participants`)).body.find(
          (p: { owner_id: string }) => p.owner_id === bob.id,
        );
        expect((await alice.api.delete(`${chats}/${direct.id}/participants/${bobs.id}`)).status).toBe(403);
      });
      it("refuses an agent of another customer", async () => {
        const chat = await group(alice);
        const stranger = (await newCustomer(stack, 1)).agents[0];
        expect((await alice.api.post(`${chats}/${chat.id}/participants`, ref(stranger))).status).toBe(404);
      });
    });

    describe("channels", () => {
      it("lists the customer's public channels, joined or not, and lets any agent join once", async () => {
        const channel = (await alice.api.post(chats, { type: "talk", name: "#general" })).body;
        expect(channel.member_count).toBe(1);
        await group(alice, [bob]);
        const listed = await carol.api.get("/service_agents/talk_channels");
        expect(listed.status).toBe(200);
        expect(listed.body.result.map((c: { id: string }) => c.id)).toEqual([channel.id]);
        expect((await carol.api.get(`${chats}/${channel.id}`)).status).toBe(200);
        const joined = await carol.api.post(`${chats}/${channel.id}/join`);
        expect(joined.status).toBe(200);
        expect(joined.body).toMatchObject({ owner_id: carol.id, chat_id: channel.id });
        expect((await carol.api.post(`${chats}/${channel.id}/join`)).body.id).toBe(joined.body.id);
        expect((await carol.api.get(`${chats}/${channel.id}`)).body.member_count).toBe(2);
        const stranger = (await newCustomer(stack, 1)).agents[0];
        expect((await stranger.api.get("/service_agents/talk_channels")).body.result).toEqual([]);
        expect((await stranger.api.post(`${chats}/${channel.id}/join`)).status).toBe(404);
      });
      it("refuses /join on a group chat and hides deleted channels", async () => {
        const chat = await group(alice);
        const res = await bob.api.post(`${chats}/${chat.id}/join`);
        expect(res.status).toBe(400);
        expect(res.body.error.reason).toBe("NOT_A_CHANNEL");
        const channel = (await alice.api.post(chats, { type: "talk" })).body;
        await alice.api.delete(`${chats}/${channel.id}`);
        expect((await bob.api.get("/service_agents/talk_channels")).body.result).toEqual([]);
        expect((await bob.api.post(`${chats}/${channel.id}/join`)).status).toBe(404);
      });
    });

    describe("events", () => {
      it("publishes every change after commit, with a gapless per-chat sequence", async () => {
        const received: EventEnvelope[] = [];
        await stack.bus.subscribe(
          { queue: `test.events.${customerId}`, bindings: [`*.${customerId}.*`] },
          async (event) => {
            received.push(event);
          },
        );
        const chat = await group(alice, [bob]);
        await alice.api.put(`${chats}/${chat.id}`, { name: "Renamed" });
        const added = (await alice.api.post(`${chats}/${chat.id}/participants`, ref(carol))).body;
        await alice.api.delete(`${chats}/${chat.id}/participants/${added.id}`);
        await alice.api.delete(`${chats}/${chat.id}`);
        // Chat changes are sequenced with the messages of the chat: each join and leave adds its system message.
        const events = await waitFor(() => received.length >= 11 && received, {
          what: "eleven events",
          timeoutMs: 20_000,
        });
        const ofChat = events.filter((e) => e.chat_id === chat.id).sort((a, b) => a.seq - b.seq);
        expect(ofChat.map((e) => [e.seq, e.type])).toEqual([
          [1, "chat_created"],
          [2, "chatparticipant_added"],
          [3, "chatmessage_created"],
          [4, "chatparticipant_added"],
          [5, "chatmessage_created"],
          [6, "chat_updated"],
          [7, "chatparticipant_added"],
          [8, "chatmessage_created"],
          [9, "chatparticipant_removed"],
          [10, "chatmessage_created"],
          [11, "chat_deleted"],
        ]);
        expect(ofChat[0]).toMatchObject({
          customer_id: customerId,
          version: 1,
          publisher: "chat-manager",
          data: { id: chat.id, member_count: 2 },
        });
        expect(ofChat[2]).toMatchObject({
          publisher: "message-manager",
          data: { type: "system", text: "Agent 0 joined the conversation." },
        });
        expect(ofChat[9].data).toMatchObject({ type: "system", text: "Agent 2 left the conversation." });
        expect(ofChat[10].data).toMatchObject({ id: chat.id, tm_delete: expect.not.stringMatching(/^9999/) });
        expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      });
    });
  });
}
