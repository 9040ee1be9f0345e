/**
 * docs/operations.md, "Moving from classic queues", rehearsed on a real broker: the chat-changes
 * queue starts as a classic queue (a broker set up by an older Talk), its consumer (a bus configured
 * for quorum queues) keeps using it, and the operator's steps — a temporary quorum queue takes the
 * events while the classic queue drains, the drained queue is deleted and the consumer declares it
 * again as a quorum queue, a shovel moves the temporary queue's events into it — lose no event
 * that was confirmed to its publisher, while events go on being published throughout.
 */
import { randomUUID } from "node:crypto";
import { CHAT_CHANGES_SUBSCRIPTION, EXCHANGES } from "@talk/contracts";
import { type RabbitClusterHandle, describeNeeding, startRabbitCluster, waitFor } from "@talk/testkit";
import * as amqp from "amqplib";
import { AmqpBus } from "../src";
import { chatChange } from "./fixtures";

const Q = CHAT_CHANGES_SUBSCRIPTION.queue;
const MOVING = `${Q}.moving`;
const EXCHANGE = EXCHANGES[CHAT_CHANGES_SUBSCRIPTION.exchange];

describeNeeding(["rabbitmq-cluster"])("moving the chat-changes queue from classic to quorum", () => {
  let broker: RabbitClusterHandle;
  const buses: AmqpBus[] = [];

  beforeAll(async () => {
    broker = await startRabbitCluster(1, { plugins: ["rabbitmq_shovel"] });
  }, 120_000);

  /** Stops the test's publisher, however the test ended. */
  let afterDone = async () => undefined;

  afterAll(async () => {
    await afterDone();
    await Promise.all(buses.map((bus) => bus.close()));
    await broker?.close();
  }, 60_000);

  async function queue(
    name: string,
  ): Promise<{ type: string; messages: number; unacked: number } | undefined> {
    const output = await broker.ctl(["list_queues", "name", "type", "messages", "messages_unacknowledged"]);
    const row = output
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .find((cells) => cells[0] === name);
    return row && { type: row[1], messages: Number(row[2]), unacked: Number(row[3]) };
  }

  it("loses no confirmed chat change while the operator's steps run under a steady publisher", async () => {
    // a broker set up by an older Talk: the queue is classic
    const old = await AmqpBus.connect({ url: broker.url, service: "old-talk", queues: { type: "classic" } });
    buses.push(old);
    await old.declare(CHAT_CHANGES_SUBSCRIPTION);
    expect((await queue(Q))?.type).toBe("classic");

    // the new consumer (quorum configured) keeps the classic queue and reads it
    const consumer = await AmqpBus.connect({
      url: broker.url,
      service: "message-manager",
      queues: { type: "quorum" },
    });
    buses.push(consumer);
    const received = new Set<string>();
    await consumer.subscribe(CHAT_CHANGES_SUBSCRIPTION, async (change) => {
      received.add(change.id);
      await new Promise((resolve) => setTimeout(resolve, 2)); // a consumer a little slower than the publisher
    });
    expect((await queue(Q))?.type).toBe("classic");

    // a publisher confirming every change, all along
    const publisher = await AmqpBus.connect({ url: broker.url, service: "chat-manager" });
    buses.push(publisher);
    const confirmed: string[] = [];
    let publishing = true;
    const chatId = randomUUID();
    const customerId = randomUUID();
    afterDone = async () => {
      publishing = false;
      await publishes.catch(() => undefined);
    };
    const publishes = (async () => {
      for (let revision = 1; publishing; revision++) {
        const change = chatChange(customerId, chatId, revision);
        await publisher.publish(change, { exchange: "chatChanges" });
        confirmed.push(change.id);
      }
    })();
    const published = (n: number) =>
      waitFor(() => confirmed.length >= n, { timeoutMs: 20_000, what: `${n} changes confirmed` });
    await published(100);

    const connection = await amqp.connect(broker.url);
    connection.on("error", () => undefined); // a refused operation closes it: the step fails, not the process
    const channel = await connection.createChannel();
    try {
      // 1. a temporary quorum queue with Q's bindings: from now on each change goes to both
      await channel.assertQueue(MOVING, { durable: true, arguments: { "x-queue-type": "quorum" } });
      for (const key of CHAT_CHANGES_SUBSCRIPTION.bindings) await channel.bindQueue(MOVING, EXCHANGE, key);
      // 2. Q unbound: new changes go to the temporary queue only
      for (const key of CHAT_CHANGES_SUBSCRIPTION.bindings) await channel.unbindQueue(Q, EXCHANGE, key);
      await published(confirmed.length + 100);
      // 3. Q drained by its consumer, then deleted; the consumer declares it again, as a quorum queue
      await waitFor(
        async () => {
          const q = await queue(Q);
          return q !== undefined && q.messages === 0 && q.unacked === 0;
        },
        { timeoutMs: 60_000, what: "the classic queue drained" },
      );
      await broker.ctl(["delete_queue", Q, "--if-empty"]);
      await waitFor(async () => (await queue(Q))?.type === "quorum", {
        timeoutMs: 60_000,
        what: "the queue declared again as a quorum queue by its consumer",
      });
      await published(confirmed.length + 100);
      // 4. the temporary queue shovelled into Q (both queues' types given: the shovel declares them)
      await broker.ctl([
        "set_parameter",
        "shovel",
        "move-q",
        JSON.stringify({
          "src-uri": "amqp://",
          "src-queue": MOVING,
          "src-queue-args": { "x-queue-type": "quorum" },
          "dest-uri": "amqp://",
          "dest-queue": Q,
          "dest-queue-args": { "x-queue-type": "quorum" },
          "ack-mode": "on-confirm",
          "src-delete-after": "queue-length",
        }),
      ]);
      await waitFor(async () => (await queue(MOVING))?.messages === 0, {
        timeoutMs: 60_000,
        what: "the temporary queue emptied into the quorum queue",
      });
      for (const key of CHAT_CHANGES_SUBSCRIPTION.bindings) await channel.unbindQueue(MOVING, EXCHANGE, key);
      // (a quorum queue cannot be deleted with if-empty: it was checked empty above, and is unbound)
      await channel.deleteQueue(MOVING);
      // with src-delete-after the shovel removes itself once it has moved what was there
      await waitFor(async () => !(await broker.ctl(["list_parameters"])).includes("move-q"), {
        timeoutMs: 30_000,
        what: "the shovel gone",
      });
    } finally {
      await connection.close().catch(() => undefined);
    }
    await published(confirmed.length + 50);
    publishing = false;
    await publishes;

    await waitFor(() => confirmed.every((id) => received.has(id)), {
      timeoutMs: 60_000,
      what: "every confirmed change at the consumer",
    });
    expect((await queue(Q))?.type).toBe("quorum");
    expect(await queue(MOVING)).toBeUndefined();
  }, 240_000);
});
