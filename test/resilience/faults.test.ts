/**
 * Faults against the distributed stack (two replicas of every service, real RabbitMQ and
 * PostgreSQL): the broker restarted or killed, a message-manager replica killed, mid-load. Clients
 * retry with their Idempotency-Key, as they should; afterwards every acknowledged message is stored
 * once and its event was published once or more (never lost), and the services serve again.
 */
import { randomUUID } from "node:crypto";
import type { EventEnvelope } from "@talk/contracts";
import { describeNeeding, waitFor } from "@talk/testkit";
import { type TestAgent, newCustomer, startDistributedStack, useStack } from "../support/stacks";

describeNeeding(["rabbitmq", "postgres"])("faults on the distributed stack", () => {
  const stack = useStack(startDistributedStack);
  const messages = "/service_agents/talk_messages";

  /** Sends until acknowledged, retrying the same request with the same key, as a careful client does. */
  async function sendReliably(
    agent: TestAgent,
    chatId: string,
    text: string,
    deadline: number,
  ): Promise<string> {
    const key = randomUUID();
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await agent.api.post(
          messages,
          { chat_id: chatId, type: "normal", text },
          { "idempotency-key": key },
        );
        if (res.status === 200) return res.body.id as string;
        if (res.status < 500 && res.status !== 429)
          throw new Error(`refused: ${res.status} ${JSON.stringify(res.body)}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith("refused")) throw error;
      }
      if (Date.now() > deadline) throw new Error(`"${text}" was never acknowledged`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 1000)));
    }
  }

  async function load(agents: TestAgent[], chatId: string, perSender: number, during: () => Promise<void>) {
    const acknowledged: string[] = [];
    const deadline = Date.now() + 90_000;
    const senders = agents.map(async (agent, s) => {
      for (let i = 0; i < perSender; i++)
        acknowledged.push(await sendReliably(agent, chatId, `sender ${s} #${i}`, deadline));
    });
    await during();
    await Promise.all(senders);
    return acknowledged;
  }

  async function storedMessageIds(agent: TestAgent, chatId: string): Promise<string[]> {
    const ids: string[] = [];
    let token = "";
    do {
      const res = await agent.api.get(
        `${messages}?chat_id=${chatId}&page_size=100${token ? `&page_token=${encodeURIComponent(token)}` : ""}`,
      );
      expect(res.status).toBe(200);
      ids.push(
        ...res.body.result
          .filter((m: { type: string }) => m.type === "normal")
          .map((m: { id: string }) => m.id),
      );
      token = res.body.next_page_token;
    } while (token);
    return ids;
  }

  // The test's own view of the events: one queue, declared once before any fault, as the services
  // declare theirs at start. (RabbitMQ 3.x writes a declaration to disk within about 2 s: a queue
  // declared just before the whole cluster is SIGKILLed can be forgotten, and what was routed to it
  // with it — seen on the cluster with a queue per scenario.)
  const all = new Map<string, EventEnvelope>();
  beforeAll(async () => {
    await stack().bus.subscribe({ queue: `test.faults.${randomUUID()}`, bindings: ["#"] }, async (event) => {
      all.set(event.id, event);
    });
  });

  async function scenario(fault: () => Promise<void>) {
    const s = stack();
    const { agents } = await newCustomer(s, 4);
    const chat = (
      await agents[0].api.post("/service_agents/talk_chats", {
        type: "group",
        participants: agents.slice(1).map((a) => ({ owner_type: "agent", owner_id: a.id })),
      })
    ).body;
    const events = { values: () => [...all.values()].filter((e) => e.chat_id === chat.id) };
    const acknowledged = await load(agents, chat.id, 40, fault);
    // Nothing acknowledged is lost or stored twice.
    const stored = await storedMessageIds(agents[0], chat.id);
    expect(new Set(acknowledged).size).toBe(acknowledged.length);
    expect([...stored].sort()).toEqual([...acknowledged].sort());
    // Every event of the chat arrives (at least once), and the chat's sequence has no gap.
    await waitFor(
      () => {
        const created = new Set(
          [...events.values()]
            .filter((e) => e.type === "chatmessage_created")
            .map((e) => (e.data as { id: string }).id),
        );
        return acknowledged.every((id) => created.has(id));
      },
      { timeoutMs: 60_000, what: "a chatmessage_created event for every acknowledged message" },
    );
    const seqs = [...new Set([...events.values()].map((e) => e.seq))].sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }

  describe("faults under load (distributed)", () => {
    it("RabbitMQ stopped for a while and restarted: services reconnect, nothing is lost", async () => {
      await scenario(async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await stack().distributed!.rabbit.stop();
        await new Promise((resolve) => setTimeout(resolve, 3000));
        await stack().distributed!.rabbit.start();
      });
    });

    it("RabbitMQ killed (SIGKILL) and restarted: nothing is lost", async () => {
      await scenario(async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await stack().distributed!.rabbit.kill();
        await stack().distributed!.rabbit.start();
      });
    });

    it("a message-manager replica SIGKILLed mid-load, then RabbitMQ restarted: nothing is lost", async () => {
      const replica = stack().distributed!.byService("message-manager")[0];
      try {
        await scenario(async () => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          await replica.kill();
          await stack().distributed!.rabbit.stop();
          await stack().distributed!.rabbit.start();
        });
      } finally {
        await replica.start();
      }
    });

    it("after the faults, every service is ready again", async () => {
      for (const service of stack().distributed!.processes) {
        await waitFor(async () => (await fetch(`${service.url}/readyz`)).status === 200, {
          timeoutMs: 30_000,
          what: `${service.spec.name} ready`,
        });
      }
    });
  });
});
