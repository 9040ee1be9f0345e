/**
 * The consumer kit against a live distributed stack (real RabbitMQ, PostgreSQL, every service as
 * processes): its example prints a customer's events as they happen, each chat in seq order and
 * once, while agents write concurrently; and a consumer whose queue lost events while it was away
 * notices the gap on restart and reads what is missing through the API.
 */
import { randomUUID } from "node:crypto";
import { AmqpBus } from "@talk/bus";
import { TalkClient } from "@talk/client";
import type { EventEnvelope, Message } from "@talk/contracts";
import { silentLogger } from "@talk/kit";
import { waitFor } from "@talk/testkit";
import amqp from "amqplib";
import {
  newCustomer,
  startDistributedStack,
  type TestAgent,
  type TestStack,
  useStack,
} from "../../../test/support/stacks";
import { startPrinter } from "../examples/print-events";
import { EventConsumer, type Gap, MemoryCheckpoints, recoverMessagesThroughApi } from "../src";

const current = useStack(() => startDistributedStack());

describe("consuming Talk's events (distributed stack, real RabbitMQ)", () => {
  let stack: TestStack;
  let customerId: string;
  let agents: TestAgent[];
  let rabbitUrl: string;

  beforeEach(async () => {
    stack = current();
    rabbitUrl = stack.distributed!.rabbit.url;
    ({ customerId, agents } = await newCustomer(stack, 3));
  });

  const login = (agent: TestAgent) => new TalkClient({ baseUrl: stack.api.baseUrl, token: agent.token });

  it("the example prints a customer's events as they happen: every chat in seq order, each once", async () => {
    const lines: string[] = [];
    const printer = await startPrinter(
      {
        RABBITMQ_URL: rabbitUrl,
        TALK_API_URL: stack.api.baseUrl,
        TALK_USERNAME: agents[0].username,
        TALK_PASSWORD: `password-0-${customerId}`,
        CONSUMER_QUEUE: `test.print-events.${randomUUID()}`,
        CONSUMER_BINDING: `*.${customerId}.*`,
      },
      (line) => lines.push(line),
    );
    try {
      const [alice, bob, carol] = agents.map(login);
      const everyone = agents.slice(1).map((a) => ({ owner_type: "agent" as const, owner_id: a.id }));
      const chats = await Promise.all(
        ["North", "South"].map((name) => alice.chats.create({ type: "group", name, participants: everyone })),
      );
      // Three agents write to both chats at once: 30 messages, then reactions on some.
      const sent = await Promise.all(
        [alice, bob, carol].flatMap((client, who) =>
          chats.flatMap((chat) =>
            [1, 2, 3, 4, 5].map((n) => client.messages.send({ chat_id: chat.id, text: `${who}-${n}` })),
          ),
        ),
      );
      await Promise.all(sent.slice(0, 6).map((message) => bob.messages.react(message.id, "thumbsup")));

      const perChat = (chatId: string) =>
        lines
          .filter((line) => line.startsWith(`chat ${chatId} #`))
          .map((line) => Number(/#(\d+)/.exec(line)?.[1]));
      // Each chat: chat_created, 2 participants added with their join messages, 15 messages, and reactions.
      for (const chat of chats) {
        const expected = 1 + 2 * 2 + 15 + sent.slice(0, 6).filter((m) => m.chat_id === chat.id).length;
        await waitFor(() => perChat(chat.id).length >= expected, {
          what: `${expected} events of chat ${chat.name}`,
          timeoutMs: 30_000,
        });
        const seqs = perChat(chat.id);
        expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // 1, 2, 3, …: in order, none twice, none missing
        expect(lines).toContain(`chat ${chat.id} #1 chat_created "${chat.name}"`);
      }
      for (const message of sent) expect(lines.some((line) => line.endsWith(`"${message.text}"`))).toBe(true);
    } finally {
      await printer.stop();
    }
  });

  it("notices on restart that its queue lost events while it was away, and reads them through the API", async () => {
    const queue = `test.gap.${randomUUID()}`;
    const checkpoints = new MemoryCheckpoints();
    const handled: EventEnvelope[] = [];
    const gaps: { gap: Gap; texts: string[] }[] = [];
    const alice = login(agents[0]);
    const start = async () => {
      const bus = await AmqpBus.connect({ url: rabbitUrl, service: "test-consumer", logger: silentLogger });
      const consumer = new EventConsumer({
        bus,
        queue,
        bindings: [`*.${customerId}.*`],
        checkpoints,
        gapWaitMs: 300,
        handle: async (event) => void handled.push(event),
        recover: recoverMessagesThroughApi({
          client: () => alice,
          onMessages: async (gap, messages: Message[]) =>
            void gaps.push({ gap, texts: messages.map((m) => m.text) }),
        }),
      });
      await consumer.start();
      return async () => {
        consumer.stop();
        await bus.close();
      };
    };
    const textsHandled = () =>
      handled.flatMap((e) =>
        e.type === "chatmessage_created" && e.data.type === "normal" ? [e.data.text] : [],
      );

    let stop = await start();
    const chat = await alice.chats.create({ type: "group", name: "Gappy" });
    await alice.messages.send({ chat_id: chat.id, text: "one" });
    await waitFor(() => textsHandled().includes("one"), { what: "the first message handled" });
    await stop();

    for (const text of ["two", "three", "four"]) await alice.messages.send({ chat_id: chat.id, text });
    // Lose the first two of the three events queued meanwhile (as a purge or a lost broker would).
    const connection = await amqp.connect(rabbitUrl);
    try {
      const channel = await connection.createChannel();
      await waitFor(async () => (await channel.checkQueue(queue)).messageCount === 3, {
        what: "three events queued",
      });
      // A quorum queue with a single active consumer answers no basic.get: take the two as its
      // consumer, one at a time (prefetch 1). A third delivered before the cancel is not
      // acknowledged, so closing the connection puts it back.
      await channel.prefetch(1);
      let taken = 0;
      await new Promise<void>((resolve, reject) => {
        channel
          .consume(queue, (message) => {
            if (!message) return reject(new Error("the queue was deleted"));
            if (taken === 2) return;
            taken += 1;
            channel.ack(message);
            if (taken === 2) void channel.cancel(message.fields.consumerTag).then(() => resolve(), reject);
          })
          .catch(reject);
      });
    } finally {
      await connection.close();
    }

    stop = await start();
    try {
      await waitFor(() => textsHandled().includes("four"), { what: "the event after the gap handled" });
      const lastSeq = handled.find(
        (e) => e.type === "chatmessage_created" && (e.data as Message).text === "one",
      )!.seq;
      expect(gaps).toHaveLength(1);
      expect(gaps[0].gap).toMatchObject({
        chat_id: chat.id,
        customer_id: customerId,
        from: lastSeq + 1,
        to: lastSeq + 2,
      });
      expect(gaps[0].texts).toEqual(expect.arrayContaining(["two", "three"]));
      expect(textsHandled()).toEqual(["one", "four"]);
    } finally {
      await stop();
    }
  });
});
