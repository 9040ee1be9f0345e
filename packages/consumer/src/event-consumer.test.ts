/**
 * The consumer over the in-memory bus (the same semantics as RabbitMQ's, see packages/bus): what
 * reaches the handler, in which order, what is acknowledged when, and what a gap does.
 */
import { randomUUID } from "node:crypto";
import { MemoryBus } from "@talk/bus";
import type { EventEnvelope, Message } from "@talk/contracts";
import { waitFor } from "@talk/testkit";
import { type Gap, EventConsumer } from "./event-consumer";
import { MemoryCheckpoints } from "./checkpoints";

const customer = randomUUID();
const time = (seq: number) => `2026-01-01 00:00:${String(seq).padStart(2, "0")}.000000`;

function created(chat: string, seq: number, text: string, id = randomUUID()): EventEnvelope {
  const message: Message = {
    id: randomUUID(),
    customer_id: customer,
    owner_type: "agent",
    owner_id: randomUUID(),
    chat_id: chat,
    type: "normal",
    text,
    medias: [],
    metadata: { reactions: [] },
    tm_create: time(seq),
    tm_update: time(seq),
    tm_delete: "9999-01-01 00:00:00.000000",
    tm_edit: "9999-01-01 00:00:00.000000",
    pinned_by: "",
    tm_pin: "9999-01-01 00:00:00.000000",
    mentions: [],
  };
  return {
    id,
    type: "chatmessage_created",
    version: 1,
    publisher: "test",
    customer_id: customer,
    chat_id: chat,
    seq,
    time: time(seq),
    data: message,
  };
}

describe("the event consumer", () => {
  let bus: MemoryBus;
  let consumer: EventConsumer;
  const handled: string[] = [];
  const gaps: Gap[] = [];
  let failNext: string | undefined;

  const start = async (options: Partial<ConstructorParameters<typeof EventConsumer>[0]> = {}) => {
    consumer = new EventConsumer({
      bus,
      queue: "test.consumer",
      bindings: ["#"],
      gapWaitMs: 50,
      handle: async (event) => {
        const text = (event.data as Message).text;
        if (text === failNext) {
          failNext = undefined;
          throw new Error(`failing ${text} once`);
        }
        handled.push(`${event.chat_id.slice(0, 4)}:${event.seq}:${text}`);
      },
      recover: async (gap) => void gaps.push(gap),
      ...options,
    });
    await consumer.start();
  };

  beforeEach(() => {
    bus = new MemoryBus({ redeliveryDelayMs: 10 });
    handled.length = 0;
    gaps.length = 0;
    failNext = undefined;
  });
  afterEach(async () => {
    consumer.stop();
    await bus.close();
  });

  it("hands each chat's events over once, in seq order, however they were published", async () => {
    await start();
    const chat = randomUUID();
    const first = created(chat, 1, "a");
    for (const event of [first, created(chat, 3, "c"), first, created(chat, 2, "b"), created(chat, 4, "d")])
      await bus.publish(event);
    await waitFor(() => handled.length === 4, { what: "four events" });
    const c = chat.slice(0, 4);
    expect(handled).toEqual([`${c}:1:a`, `${c}:2:b`, `${c}:3:c`, `${c}:4:d`]);
    expect(gaps).toEqual([]);
  });

  it("gets an event again when its handler throws, and keeps the chat's later events behind it", async () => {
    await start();
    const chat = randomUUID();
    failNext = "b";
    for (const event of [created(chat, 1, "a"), created(chat, 2, "b"), created(chat, 3, "c")])
      await bus.publish(event);
    await waitFor(() => handled.length === 3, { what: "three events" });
    expect(handled.map((line) => line.split(":").slice(1).join(":"))).toEqual(["1:a", "2:b", "3:c"]);
    expect(gaps).toEqual([]);
  });

  it("calls a missing seq a gap after waiting, recovers it, and goes on", async () => {
    const checkpoints = new MemoryCheckpoints();
    const chat = randomUUID();
    await checkpoints.set(chat, { seq: 1, time: time(1) });
    await start({ checkpoints });
    await bus.publish(created(chat, 4, "d"));
    await waitFor(() => handled.length === 1, { what: "the event after the gap" });
    expect(gaps).toEqual([{ customer_id: customer, chat_id: chat, from: 2, to: 3, after: time(1) }]);
    expect(await checkpoints.get(chat)).toEqual({ seq: 4, time: time(4) });
  });

  it("does not call a gap what a binding to one type leaves out", async () => {
    await start({ bindings: ["chatmessage_created.#"] });
    expect(consumer.detectsGaps).toBe(false);
    const chat = randomUUID();
    await bus.publish(created(chat, 1, "a"));
    await bus.publish(created(chat, 5, "e"));
    await waitFor(() => handled.length === 2, { what: "both events" });
    expect(gaps).toEqual([]);
  });

  it("skips, without its handler, an event whose payload breaks the contract, and keeps the order", async () => {
    await start();
    const chat = randomUUID();
    const broken = created(chat, 2, "b");
    (broken.data as unknown as Record<string, unknown>).text = 42;
    for (const event of [created(chat, 1, "a"), broken, created(chat, 3, "c")]) await bus.publish(event);
    await waitFor(() => handled.length === 2, { what: "the valid events" });
    expect(handled.map((line) => line.split(":").slice(1).join(":"))).toEqual(["1:a", "3:c"]);
  });
});
