import { randomUUID } from "node:crypto";
import * as amqp from "amqplib";
import { RPC_QUEUES } from "@talk/contracts";
import { freePort, waitFor } from "@talk/testkit";
import { AmqpBus } from "../src";
import { describeBusContract } from "./bus-contract";
import { agent, chatEvent, uniqueQueue } from "./fixtures";
import { describeWithRabbit, useRabbit } from "./rabbit-suite";

describeWithRabbit("AmqpBus", () => {
  const rabbit = useRabbit();

  describeBusContract("AmqpBus", async () => ({
    bus: await rabbit.connect(),
    peer: (options) => rabbit.connect(options),
  }));

  describe("connect", () => {
    it("fails with UNAVAILABLE when no broker answers within connectTimeoutMs", async () => {
      const url = `amqp://guest:guest@127.0.0.1:${await freePort()}`;
      const started = Date.now();
      await expect(
        AmqpBus.connect({ url, service: "bus-test", connectTimeoutMs: 500 }),
      ).rejects.toMatchObject({
        status: "UNAVAILABLE",
        reason: "BROKER_UNAVAILABLE",
      });
      expect(Date.now() - started).toBeLessThan(3000);
    });
  });

  describe("raw AMQP clients", () => {
    it("answers a malformed or unknown request with an error reply and keeps serving", async () => {
      const bus = await rabbit.connect();
      const connection = await amqp.connect(rabbit.rabbit.url);
      try {
        await bus.handle("agent.get", async (request) => agent(request.customer_id, request.agent_id));
        const channel = await connection.createChannel();
        const replies = new Map<string, unknown>();
        await channel.consume(
          "amq.rabbitmq.reply-to",
          (message) => {
            if (message)
              replies.set(
                String(message.properties.correlationId),
                JSON.parse(message.content.toString("utf8")),
              );
          },
          { noAck: true },
        );
        const queue = `${rabbit.namespace}.${RPC_QUEUES.agentManager}`;
        const send = (correlationId: string, type: string | undefined, body: string) =>
          channel.sendToQueue(queue, Buffer.from(body), {
            correlationId,
            replyTo: "amq.rabbitmq.reply-to",
            ...(type ? { type } : {}),
          });
        send("not-json", "agent.get", "{this is not json");
        send("unknown-op", "agent.teleport", "{}");
        send("no-type", undefined, "{}");
        send("wrong-queue", "chat.get", "{}");
        await waitFor(() => replies.size >= 4, { what: "four error replies" });
        expect(replies.get("not-json")).toEqual({
          ok: false,
          error: expect.objectContaining({ status: "INVALID_ARGUMENT", reason: "MALFORMED_REQUEST" }),
        });
        expect(replies.get("unknown-op")).toEqual({
          ok: false,
          error: expect.objectContaining({ status: "INVALID_ARGUMENT", reason: "UNKNOWN_OPERATION" }),
        });
        expect(replies.get("no-type")).toEqual({
          ok: false,
          error: expect.objectContaining({ status: "INVALID_ARGUMENT", reason: "UNKNOWN_OPERATION" }),
        });
        expect(replies.get("wrong-queue")).toEqual({
          ok: false,
          error: expect.objectContaining({ status: "INVALID_ARGUMENT", reason: "WRONG_QUEUE" }),
        });
        const request = { customer_id: randomUUID(), agent_id: randomUUID() };
        await expect(bus.call("agent.get", request)).resolves.toMatchObject({ id: request.agent_id });
        // and the requests were acked: nothing is left in the queue
        const { messageCount } = await channel.checkQueue(queue);
        expect(messageCount).toBe(0);
      } finally {
        await connection.close();
        await bus.close();
      }
    });

    it("fails a call at once when no server ever declared the operation's queue", async () => {
      const bus = await rabbit.connect({ namespace: `${rabbit.namespace}-empty` });
      try {
        const started = Date.now();
        await expect(
          bus.call(
            "chat.get",
            { actor: { customer_id: randomUUID(), agent_id: randomUUID() }, chat_id: randomUUID() },
            { timeoutMs: 3000 },
          ),
        ).rejects.toMatchObject({
          status: "UNAVAILABLE",
          reason: "RPC_NO_SERVER",
        });
        expect(Date.now() - started).toBeLessThan(1000);
      } finally {
        await bus.close();
      }
    });

    it("publishes events persistent, with the event id as messageId and the routing key of the event", async () => {
      const bus = await rabbit.connect();
      const connection = await amqp.connect(rabbit.rabbit.url);
      try {
        const channel = await connection.createChannel();
        const { queue } = await channel.assertQueue("", { exclusive: true });
        const customerId = randomUUID();
        const chatId = randomUUID();
        await channel.assertExchange(`${rabbit.namespace}.talk.events`, "topic", { durable: true });
        await channel.bindQueue(queue, `${rabbit.namespace}.talk.events`, `#.${chatId}`);
        const event = chatEvent("chat_created", customerId, chatId);
        await bus.publish(event);
        const message = await waitFor(async () => channel.get(queue, { noAck: true }), {
          what: "the raw event",
        });
        expect(message.fields.routingKey).toBe(`chat_created.${customerId}.${chatId}`);
        expect(message.properties.messageId).toBe(event.id);
        expect(message.properties.deliveryMode).toBe(2);
        expect(message.properties.headers?.["x-request-id"]).toBe(event.request_id);
        expect(JSON.parse(message.content.toString("utf8"))).toEqual(event);
      } finally {
        await connection.close();
        await bus.close();
      }
    });

    it("re-creates a subscription whose queue was deleted under it", async () => {
      const bus = await rabbit.connect();
      const connection = await amqp.connect(rabbit.rabbit.url);
      try {
        const customerId = randomUUID();
        const queue = uniqueQueue("deleted");
        const received: string[] = [];
        await bus.subscribe({ queue, bindings: [`*.${customerId}.*`] }, async (event) => {
          received.push(event.id);
        });
        const channel = await connection.createChannel();
        await channel.deleteQueue(`${rabbit.namespace}.${queue}`);
        await waitFor(
          async () => {
            await bus.publish(chatEvent("chat_updated", customerId, randomUUID()));
            return received.length > 0;
          },
          { intervalMs: 100, what: "an event on the re-created queue" },
        );
      } finally {
        await connection.close();
        await bus.close();
      }
    });
  });

  describe("queue types", () => {
    /** Whether the broker takes a declaration of `queue` with these arguments (406 when they differ). */
    async function declaredWith(queue: string, args: Record<string, unknown>): Promise<boolean> {
      const connection = await amqp.connect(rabbit.rabbit.url);
      connection.on("error", () => undefined);
      try {
        const channel = await connection.createChannel();
        channel.on("error", () => undefined);
        await channel.assertQueue(queue, { durable: true, arguments: args });
        return true;
      } catch (err) {
        if ((err as { code?: unknown }).code === 406) return false;
        throw err;
      } finally {
        await connection.close().catch(() => undefined);
      }
    }

    it("declares RPC, subscription (single active consumer kept) and dead-letter queues as quorum queues", async () => {
      const namespace = `${rabbit.namespace}-quorum`;
      const bus = await rabbit.connect({ namespace });
      try {
        await bus.handle("agent.get", async (request) => agent(request.customer_id, request.agent_id));
        const queue = uniqueQueue("ordered");
        await bus.subscribe({ queue, bindings: ["#"], singleActiveConsumer: true }, async () => undefined);
        const quorum = { "x-queue-type": "quorum", "x-quorum-initial-group-size": 3 };
        expect(await declaredWith(`${namespace}.${RPC_QUEUES.agentManager}`, quorum)).toBe(true);
        expect(
          await declaredWith(`${namespace}.${RPC_QUEUES.agentManager}`, { "x-queue-type": "classic" }),
        ).toBe(false);
        expect(
          await declaredWith(`${namespace}.${queue}`, { ...quorum, "x-single-active-consumer": true }),
        ).toBe(true);
        expect(await declaredWith(`${namespace}.${queue}.dead-letter`, quorum)).toBe(true);
        const request = { customer_id: randomUUID(), agent_id: randomUUID() };
        await expect(bus.call("agent.get", request)).resolves.toMatchObject({ id: request.agent_id });
      } finally {
        await bus.close();
      }
    });

    it("declares classic queues when configured so", async () => {
      const namespace = `${rabbit.namespace}-classic`;
      const bus = await rabbit.connect({ namespace, queues: { type: "classic" } });
      try {
        await bus.handle("agent.get", async (request) => agent(request.customer_id, request.agent_id));
        expect(
          await declaredWith(`${namespace}.${RPC_QUEUES.agentManager}`, { "x-queue-type": "classic" }),
        ).toBe(true);
      } finally {
        await bus.close();
      }
    });

    it("keeps using a classic queue it finds under a subscription's name (a broker not moved yet): nothing in it is lost", async () => {
      const namespace = `${rabbit.namespace}-existing`;
      const queue = uniqueQueue("existing");
      const customerId = randomUUID();
      const old = await rabbit.connect({ namespace, queues: { type: "classic" } });
      await old.declare({ queue, bindings: [`*.${customerId}.*`] });
      const waiting = chatEvent("chat_created", customerId, randomUUID());
      await old.publish(waiting);
      await old.close();
      const bus = await rabbit.connect({ namespace });
      try {
        const received: string[] = [];
        await bus.subscribe({ queue, bindings: [`*.${customerId}.*`] }, async (event) => {
          received.push(event.id);
        });
        const later = chatEvent("chat_updated", customerId, randomUUID());
        await bus.publish(later);
        await waitFor(() => received.length === 2, { what: "the waiting event and the new one" });
        expect(received).toEqual([waiting.id, later.id]);
        expect(await declaredWith(`${namespace}.${queue}`, { "x-queue-type": "classic" })).toBe(true);
      } finally {
        await bus.close();
      }
    });
  });
});
