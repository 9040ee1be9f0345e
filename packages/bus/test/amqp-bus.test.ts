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
});
