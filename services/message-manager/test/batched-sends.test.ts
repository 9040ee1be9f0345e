/**
 * Group commit of sends — the one way a message is written — against both databases Talk runs on
 * (PGlite, and a PostgreSQL server, where a batch's lock, membership and parent statements share
 * one round trip): concurrent sends in one chat are sequenced exactly as one-by-one sends would be,
 * each Idempotency-Key takes effect once (also when the same key comes twice in one batch), replies
 * join the batch with their parent checked, and a send the replica cannot vouch for is decided
 * again once chat-manager was asked and the replica caught up.
 */
import { randomUUID } from "node:crypto";
import { MemoryBus } from "@talk/bus";
import { type Message, normalizeTimestamp } from "@talk/contracts";
import { Outbox, WriteBudget, connectDatabase, migrate } from "@talk/db";
import { silentLogger } from "@talk/kit";

import { eachDatabase } from "@talk/testkit";
import type { Knex } from "knex";
import { MessageService } from "../src/message-service";
import { MessageStore } from "../src/store/message-store";
import { migrations } from "../src/store/migrations";

describe.each(eachDatabase())("on %s", (_name, open) => {
  const customer = randomUUID();
  const chat = randomUUID();
  const members = Array.from({ length: 8 }, () => randomUUID());
  const outsider = randomUUID();
  const latecomer = randomUUID();

  let close: () => Promise<void>;
  let db: Knex;
  let service: MessageService;

  beforeAll(async () => {
    const database = await open();
    close = database.close;
    db = connectDatabase(database.config);
    await migrate(db, migrations);
    await db("chats").insert({ id: chat, customer_id: customer });
    await db("members").insert(members.map((agent_id) => ({ chat_id: chat, agent_id })));
    const outbox = new Outbox(db, new MemoryBus({ logger: silentLogger }), "message-manager", silentLogger);
    const authority = {
      // chat-manager's word, asked for sends the replica does not vouch for: the chat exists, the
      // outsider is not in it; the latecomer is, and the replica learns it while message-manager waits.
      membership: async (_customer: string, _chat: string, agentId: string) => {
        if (agentId !== latecomer) return { exists: true, member: false, revision: 0 };
        setTimeout(() => {
          void db.transaction(async (trx) => {
            await trx("members").insert({ chat_id: chat, agent_id: latecomer });
            await trx("chats").where({ id: chat }).update({ revision: 1 });
          });
        }, 50);
        return { exists: true, member: true, revision: 1 };
      },
    };
    // These sends attach no file, so file-manager is never asked (its part is in test/http/file-api.suite.ts).
    const files = {
      attach: () => Promise.reject(new Error("these sends attach no file; file-manager is not asked")),
    };
    service = new MessageService(new MessageStore(db), outbox, authority, files);
  }, 60_000);

  afterAll(async () => {
    await db.destroy();
    await close();
  });

  const send = (agent: string, text: string, key?: string, fingerprint = "same", parentId?: string) =>
    service.create(
      { chat_id: chat, type: "normal", text, ...(parentId ? { parent_id: parentId } : {}) },
      {
        actor: { customer_id: customer, agent_id: agent },
        ...(key ? { idempotency: { key, fingerprint } } : {}),
      },
    );

  describe("sends written together (group commit)", () => {
    it("when many are sent at once, each is stored once, with consecutive sequence numbers and increasing timestamps", async () => {
      const sent = await Promise.all(
        Array.from({ length: 60 }, (_, i) => send(members[i % members.length], `hello ${i}`)),
      );
      const stored: { id: string; tm_create: string }[] = await db("talk_messages")
        .where({ chat_id: chat })
        .orderBy("tm_create");
      expect(stored.map((m) => m.id).sort()).toEqual(sent.map((m) => m.id).sort());
      const times = stored.map((m) => normalizeTimestamp(m.tm_create));
      expect(new Set(times).size).toBe(times.length);
      const events: { event: { seq: number; type: string; data: Message } | string }[] =
        await db("talk_outbox").orderBy("id");
      const parsed = events.map(
        (row) =>
          (typeof row.event === "string" ? JSON.parse(row.event) : row.event) as {
            seq: number;
            data: Message;
          },
      );
      expect(parsed.map((e) => e.seq)).toEqual(parsed.map((_, i) => i + 1));
      // An event carries the message exactly as the sender got it back, and as it is stored.
      const byId = new Map(sent.map((m) => [m.id, m]));
      for (const e of parsed) expect(e.data).toEqual(byId.get(e.data.id));
      const chatRow = await db("chats").where({ id: chat }).first();
      expect(Number(chatRow.seq)).toBe(60);
      expect(normalizeTimestamp(chatRow.clock)).toBe(times[times.length - 1]);
    });

    it("the same Idempotency-Key, sent several times at once and again later, stores one message and answers it each time", async () => {
      const key = randomUUID();
      const answers = await Promise.all([
        send(members[0], "once", key),
        send(members[0], "once", key),
        send(members[1], "other", randomUUID()),
        send(members[0], "once", key),
      ]);
      expect(new Set([answers[0].id, answers[1].id, answers[3].id]).size).toBe(1);
      expect(await send(members[0], "once", key)).toEqual(answers[0]);
      expect(await db("talk_messages").where({ chat_id: chat, text: "once" }).count({ n: "*" })).toEqual([
        { n: 1 },
      ]);
    });

    it("an Idempotency-Key used again with another request is a conflict", async () => {
      const key = randomUUID();
      await send(members[2], "first", key, "fingerprint-a");
      await expect(send(members[2], "second", key, "fingerprint-b")).rejects.toMatchObject({
        status: "CONFLICT",
      });
    });

    it("a sender the replica does not know is checked with chat-manager, and refused", async () => {
      const results = await Promise.allSettled([send(outsider, "let me in"), send(members[3], "fine")]);
      expect(results[0]).toMatchObject({ status: "rejected", reason: { status: "PERMISSION_DENIED" } });
      expect(results[1]).toMatchObject({ status: "fulfilled" });
    });

    it("a sender the replica does not know yet is written once the replica caught up with chat-manager", async () => {
      const [late, other] = await Promise.all([send(latecomer, "just joined"), send(members[4], "welcome")]);
      expect(late).toMatchObject({ owner_id: latecomer, text: "just joined" });
      expect(other).toMatchObject({ owner_id: members[4], text: "welcome" });
    });

    it("replies go in the batch with the others; a reply to a message that is missing, or in another chat, is refused", async () => {
      const parent = await send(members[5], "question");
      const elsewhere = randomUUID();
      await db("chats").insert({ id: elsewhere, customer_id: customer });
      await db("talk_messages").insert({
        id: randomUUID(),
        customer_id: customer,
        chat_id: elsewhere,
        owner_type: "agent",
        owner_id: members[5],
        type: "normal",
        text: "elsewhere",
        tm_create: "2024-01-17 10:32:00",
        tm_update: "2024-01-17 10:32:00",
      });
      const [otherChat] = await db("talk_messages").where({ chat_id: elsewhere }).select("id");
      const missing = randomUUID();
      const results = await Promise.allSettled([
        send(members[6], "answer", undefined, undefined, parent.id),
        send(members[7], "plain"),
        send(members[6], "to nothing", undefined, undefined, missing),
        send(members[6], "across", undefined, undefined, (otherChat as { id: string }).id),
        send(members[7], "another answer", undefined, undefined, parent.id),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        "fulfilled",
        "fulfilled",
        "rejected",
        "rejected",
        "fulfilled",
      ]);
      expect(results[0]).toMatchObject({ value: { parent_id: parent.id, text: "answer" } });
      expect(results[2]).toMatchObject({ reason: { status: "NOT_FOUND", reason: "PARENT_NOT_FOUND" } });
      expect(results[3]).toMatchObject({ reason: { reason: "PARENT_IN_OTHER_CHAT" } });
      const replies = await service.list(
        { customer_id: customer, agent_id: members[6] },
        chat,
        parent.id,
        {},
      );
      expect(replies.result.map((m) => m.text).sort()).toEqual(["another answer", "answer"]);
    });
  });

  describe("write budgets charged by the batch (in its first round trip)", () => {
    // Refills are slow enough (1 token per 20 s) not to change what these tests see.
    const budget = () => new WriteBudget(db, { perAgentPerMinute: 3, perCustomerPerMinute: 1000 });
    const charged = (limits: WriteBudget, agent: string, text: string, key?: string) =>
      service.create(
        { chat_id: chat, type: "normal", text },
        {
          actor: { customer_id: customer, agent_id: agent },
          ...(key ? { idempotency: { key, fingerprint: "same" } } : {}),
        },
        limits.pending({ customer_id: customer, agent_id: agent }),
      );

    it("charges each send once: sends within the budget are written, one by one or together", async () => {
      const limits = budget();
      const [agent] = members;
      await charged(limits, agent, "budget one");
      await Promise.all([charged(limits, agent, "budget two"), charged(limits, agent, "budget three")]);
      await expect(charged(limits, agent, "budget four")).rejects.toMatchObject({
        status: "RESOURCE_EXHAUSTED",
        reason: "WRITE_RATE_LIMITED",
      });
    });

    it("refuses the sends of a batch beyond their budget, in order, gives their keys back and writes the others", async () => {
      const limits = budget();
      const [, agent, other] = members;
      const keys = Array.from({ length: 5 }, () => randomUUID());
      const results = await Promise.allSettled([
        ...keys.map((key, i) => charged(limits, agent, `over ${i}`, key)),
        charged(limits, other, "within"),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        "fulfilled",
        "fulfilled",
        "fulfilled",
        "rejected",
        "rejected",
        "fulfilled",
      ]);
      expect(results[3]).toMatchObject({
        reason: { reason: "WRITE_RATE_LIMITED", rateLimit: { limit: 3, remaining: 0 } },
      });
      const stored = await db("idempotency_keys").whereIn("key", keys).select("key");
      expect(stored.map((row: { key: string }) => row.key).sort()).toEqual(keys.slice(0, 3).sort());
      expect(
        await db("talk_messages")
          .where({ chat_id: chat, owner_id: agent })
          .whereLike("text", "over %")
          .count({ n: "*" }),
      ).toEqual([{ n: 3 }]);
    });

    it("when the batch's one charge is refused in part, charges its sends one by one, in order, as if apart", async () => {
      const limits = budget();
      const [, , , agent, other] = members;
      await charged(limits, agent, "first");
      await charged(limits, agent, "second");
      const results = await Promise.allSettled([
        charged(limits, agent, "third"),
        charged(limits, agent, "fourth"),
        charged(limits, other, "mine"),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect(results[1]).toMatchObject({ reason: { reason: "WRITE_RATE_LIMITED" } });
      // what the refused statement took from the other agent's bucket was given back: 2 sends left
      await charged(limits, other, "mine again");
      await charged(limits, other, "and again");
      await expect(charged(limits, other, "one too many")).rejects.toMatchObject({
        reason: "WRITE_RATE_LIMITED",
      });
    });
  });
});
