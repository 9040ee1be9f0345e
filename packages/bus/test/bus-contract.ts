/**
 * The behaviour every Bus implementation must have, as one suite run against each of them.
 * `makeFixture` gives a fresh bus per test and a way to open more buses on the same broker (other
 * processes). Tests use fresh ids and queue names so that they do not see each other's messages.
 */
import { randomUUID } from "node:crypto";
import { AppError, type EventEnvelope, type Signal } from "@talk/contracts";
import { sleep, waitFor } from "@talk/testkit";
import { Metrics } from "@talk/kit";
import {
  type Bus,
  type CommonBusOptions,
  type DeliveryContext,
  type StreamEntry,
  type StreamReader,
  type StreamSpec,
  type StreamStart,
  EventNotReady,
  deadLetterQueue,
} from "../src";
import { agent, chatChange, chatEvent, uniqueQueue } from "./fixtures";

export interface BusFixture {
  bus: Bus;
  /** Another bus on the same broker, as another process (or replica) would have. */
  peer(options?: Partial<CommonBusOptions>): Promise<Bus>;
}

interface Received {
  event: EventEnvelope;
  context: DeliveryContext;
}

export function describeBusContract(name: string, makeFixture: () => Promise<BusFixture>): void {
  describe(`${name} — Bus contract`, () => {
    let fixture: BusFixture;
    let bus: Bus;
    const opened: Bus[] = [];
    const peer = async (options?: Partial<CommonBusOptions>) => {
      const other = await fixture.peer(options);
      opened.push(other);
      return other;
    };

    beforeEach(async () => {
      fixture = await makeFixture();
      bus = fixture.bus;
      opened.push(bus);
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((b) => b.close()));
    });

    /** Subscribes and collects deliveries. */
    async function collect(on: Bus, bindings: string[], queue = uniqueQueue("events")) {
      const received: Received[] = [];
      await on.subscribe({ queue, bindings }, async (event, context) => {
        received.push({ event, context });
      });
      return { queue, received, ids: () => received.map((r) => r.event.id) };
    }

    describe("RPC", () => {
      it("round-trips a request and carries the request id to the handler", async () => {
        const customerId = randomUUID();
        const agentId = randomUUID();
        const seen: { requestId?: string; operation: string }[] = [];
        await bus.handle("agent.get", async (request, context) => {
          seen.push({ requestId: context.requestId, operation: context.operation });
          return agent(request.customer_id, request.agent_id);
        });
        const result = await bus.call(
          "agent.get",
          { customer_id: customerId, agent_id: agentId },
          { requestId: "req-42" },
        );
        expect(result).toMatchObject({ id: agentId, customer_id: customerId, name: "Ada" });
        expect(seen).toEqual([{ requestId: "req-42", operation: "agent.get" }]);
      });

      it("passes copies, never shared objects", async () => {
        const request = { customer_id: randomUUID(), agent_id: randomUUID() };
        let received: unknown;
        const response = agent(request.customer_id, request.agent_id);
        await bus.handle("agent.get", async (req) => {
          received = req;
          return response;
        });
        const result = await bus.call("agent.get", request);
        expect(received).toEqual(request);
        expect(received).not.toBe(request);
        expect(result).toEqual(response);
        expect(result).not.toBe(response);
      });

      it("carries errors as data: status, reason and message survive", async () => {
        await bus.handle("agent.get", async () => {
          throw new AppError("NOT_FOUND", "AGENT_NOT_FOUND", "The agent does not exist.");
        });
        const call = bus.call("agent.get", { customer_id: randomUUID(), agent_id: randomUUID() });
        await expect(call).rejects.toBeInstanceOf(AppError);
        await expect(call).rejects.toMatchObject({
          status: "NOT_FOUND",
          reason: "AGENT_NOT_FOUND",
          message: "The agent does not exist.",
        });
      });

      it("turns an unexpected handler error into INTERNAL without leaking its message", async () => {
        await bus.handle("agent.get", async () => {
          throw new Error("secret database detail");
        });
        const call = bus.call("agent.get", { customer_id: randomUUID(), agent_id: randomUUID() });
        await expect(call).rejects.toMatchObject({ status: "INTERNAL" });
        await expect(call).rejects.not.toMatchObject({ message: expect.stringContaining("secret") });
      });

      it("turns a handler's lost database connection into UNAVAILABLE (a 503, not a bug)", async () => {
        await bus.handle("agent.get", async () => {
          throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
        });
        const call = bus.call("agent.get", { customer_id: randomUUID(), agent_id: randomUUID() });
        await expect(call).rejects.toMatchObject({ status: "UNAVAILABLE", reason: "DEPENDENCY_UNAVAILABLE" });
      });

      it.each([
        [
          "no host accepts writes (mid-failover)",
          { code: "08001", message: "No PostgreSQL host accepts writes" },
        ],
        [
          "a write refused by a server that became a standby",
          { code: "25006", message: "read-only transaction" },
        ],
        [
          "a commit on a session its killed server dropped",
          { message: "commit - Client has encountered a connection error and is not queryable" },
        ],
      ])("turns a database failover's %s into UNAVAILABLE", async (_, error) => {
        await bus.handle("agent.get", async () => {
          throw Object.assign(new Error(error.message), error);
        });
        const call = bus.call("agent.get", { customer_id: randomUUID(), agent_id: randomUUID() });
        await expect(call).rejects.toMatchObject({ status: "UNAVAILABLE", reason: "DEPENDENCY_UNAVAILABLE" });
      });

      it("rejects a request that breaks the schema with INVALID_ARGUMENT, and keeps serving", async () => {
        let calls = 0;
        await bus.handle("agent.get", async (request) => {
          calls++;
          return agent(request.customer_id, request.agent_id);
        });
        const invalid = { customer_id: "not-a-uuid", agent_id: randomUUID() };
        const call = bus.call("agent.get", invalid);
        await expect(call).rejects.toMatchObject({ status: "INVALID_ARGUMENT" });
        await expect(call).rejects.toMatchObject({ message: expect.stringContaining("customer_id") });
        expect(calls).toBe(0);
        const valid = { customer_id: randomUUID(), agent_id: randomUUID() };
        await expect(bus.call("agent.get", valid)).resolves.toMatchObject({ id: valid.agent_id });
        expect(calls).toBe(1);
      });

      it("rejects a result that breaks the response schema with INTERNAL", async () => {
        await bus.handle("agent.get", async (request) => ({
          ...agent(request.customer_id, request.agent_id),
          password_hash: "x",
        }));
        await expect(
          bus.call("agent.get", { customer_id: randomUUID(), agent_id: randomUUID() }),
        ).rejects.toMatchObject({
          status: "INTERNAL",
          reason: "INVALID_RESPONSE",
        });
      });

      it("fails with UNAVAILABLE when no reply comes in time", async () => {
        await bus.handle("agent.get", async (request) => {
          await sleep(700);
          return agent(request.customer_id, request.agent_id);
        });
        const started = Date.now();
        const call = bus.call(
          "agent.get",
          { customer_id: randomUUID(), agent_id: randomUUID() },
          { timeoutMs: 200 },
        );
        await expect(call).rejects.toMatchObject({ status: "UNAVAILABLE", reason: "RPC_TIMEOUT" });
        expect(Date.now() - started).toBeLessThan(650);
      });

      it("shares the load of one operation between two servers (competing consumers)", async () => {
        const other = await peer();
        const customerId = randomUUID();
        const served = { bus: 0, other: 0 };
        const serve =
          (who: keyof typeof served) => async (request: { customer_id: string; agent_id: string }) => {
            if (request.customer_id === customerId) served[who]++;
            await sleep(5);
            return agent(request.customer_id, request.agent_id);
          };
        await bus.handle("agent.get", serve("bus"));
        await other.handle("agent.get", serve("other"));
        const calls = Array.from({ length: 40 }, () =>
          bus.call("agent.get", { customer_id: customerId, agent_id: randomUUID() }),
        );
        await Promise.all(calls);
        expect(served.bus + served.other).toBe(40);
        expect(served.bus).toBeGreaterThan(0);
        expect(served.other).toBeGreaterThan(0);
      });

      it("after stopConsuming, requests go to the other servers", async () => {
        const other = await peer();
        const customerId = randomUUID();
        const served = { bus: 0, other: 0 };
        await bus.handle("agent.get", async (request) => {
          if (request.customer_id === customerId) served.bus++;
          return agent(request.customer_id, request.agent_id);
        });
        await other.handle("agent.get", async (request) => {
          if (request.customer_id === customerId) served.other++;
          return agent(request.customer_id, request.agent_id);
        });
        await bus.stopConsuming();
        await Promise.all(
          Array.from({ length: 10 }, () =>
            bus.call("agent.get", { customer_id: customerId, agent_id: randomUUID() }),
          ),
        );
        expect(served).toEqual({ bus: 0, other: 10 });
      });
    });

    describe("events", () => {
      it("routes by type, customer and chat bindings with * and # wildcards", async () => {
        const [c1, c2, chatA, chatB, chatC] = Array.from({ length: 5 }, () => randomUUID());
        const ours = new Set<string>([c1, c2]);
        const byType = await collect(bus, ["chat_updated.#"]);
        const byCustomer = await collect(bus, [`*.${c1}.*`]);
        const byChat = await collect(bus, [`*.*.${chatA}`]);
        const both = await collect(bus, ["chat_created.#", `*.*.${chatB}`]);
        const e1 = chatEvent("chat_created", c1, chatA);
        const e2 = chatEvent("chat_updated", c1, chatA);
        const e3 = chatEvent("chat_updated", c1, chatB);
        const e4 = chatEvent("chat_created", c2, chatC);
        const e5 = chatEvent("chat_created", c2, chatB); // matches both bindings of `both`: delivered once
        for (const event of [e1, e2, e3, e4, e5]) await bus.publish(event);
        const mine = (c: { received: Received[] }) =>
          c.received
            .filter((r) => ours.has(r.event.customer_id))
            .map((r) => r.event.id)
            .sort();
        const expected = new Map([
          [byType, [e2, e3]],
          [byCustomer, [e1, e2, e3]],
          [byChat, [e1, e2]],
          [both, [e1, e3, e4, e5]],
        ]);
        await waitFor(() => [...expected].every(([c, events]) => mine(c).length >= events.length), {
          what: "routed events",
        });
        await sleep(100); // a duplicate would arrive by now
        for (const [c, events] of expected) expect(mine(c)).toEqual(events.map((e) => e.id).sort());
      });

      it("delivers the envelope intact, not redelivered", async () => {
        const sub = await collect(bus, ["#"]);
        const event = chatEvent("chat_created", randomUUID(), randomUUID());
        await bus.publish(event);
        const got = await waitFor(() => sub.received.find((r) => r.event.id === event.id), {
          what: "the event",
        });
        expect(got.event).toEqual(event);
        expect(got.context.redelivered).toBe(false);
      });

      it("keeps events for a durable subscription while no consumer is attached", async () => {
        const customerId = randomUUID();
        const queue = uniqueQueue("durable");
        const first = await peer();
        await first.subscribe({ queue, bindings: [`*.${customerId}.*`] }, async () => undefined);
        await first.close(); // the queue stays, bound, with nobody consuming
        const events = [1, 2, 3].map((seq) => chatEvent("chat_updated", customerId, randomUUID(), seq));
        for (const event of events) await bus.publish(event);
        const later = await collect(bus, [`*.${customerId}.*`], queue);
        await waitFor(() => later.received.length >= 3, { what: "the buffered events" });
        expect(later.ids()).toEqual(events.map((e) => e.id));
      });

      it("keeps events for a queue its publisher declared before any consumer existed", async () => {
        const customerId = randomUUID();
        const queue = uniqueQueue("declared");
        await bus.declare({
          queue,
          bindings: [`*.${customerId}.*`],
          exchange: "chatChanges",
          singleActiveConsumer: true,
        });
        const events = [1, 2].map((revision) => chatChange(customerId, randomUUID(), revision));
        for (const event of events) await bus.publish(event, { exchange: "chatChanges" });
        const consumer = await peer();
        const received: string[] = [];
        await consumer.subscribe(
          { queue, bindings: [`*.${customerId}.*`], exchange: "chatChanges", singleActiveConsumer: true },
          async (event) => void received.push(event.id),
        );
        await waitFor(() => received.length >= 2, { what: "the events published before the consumer" });
        expect(received).toEqual(events.map((e) => e.id));
      });

      it("keeps exchanges apart: an event on one never reaches bindings on the other", async () => {
        const customerId = randomUUID();
        const publicSub = await collect(bus, [`*.${customerId}.*`]);
        const internal: string[] = [];
        await bus.subscribe(
          { queue: uniqueQueue("internal"), bindings: [`*.${customerId}.*`], exchange: "chatChanges" },
          async (event) => void internal.push(event.id),
        );
        const privateEvent = chatChange(customerId, randomUUID());
        const publicEvent = chatEvent("chat_updated", customerId, randomUUID());
        await bus.publish(privateEvent, { exchange: "chatChanges" });
        await bus.publish(publicEvent);
        await waitFor(() => internal.length > 0 && publicSub.received.length > 0, { what: "both events" });
        await sleep(50);
        expect(internal).toEqual([privateEvent.id]);
        expect(publicSub.ids()).toEqual([publicEvent.id]);
      });

      it("checks what is published against its exchange: a chat change is not a public event, nor the reverse", async () => {
        const customerId = randomUUID();
        await expect(
          bus.publish(chatEvent("chat_updated", customerId, randomUUID()) as never, {
            exchange: "chatChanges",
          }),
        ).rejects.toMatchObject({ status: "INVALID_ARGUMENT" });
        await expect(bus.publish(chatChange(customerId, randomUUID()) as never)).rejects.toMatchObject({
          status: "INVALID_ARGUMENT",
        });
      });

      it("drops events that no binding routes", async () => {
        const customerId = randomUUID();
        await expect(
          bus.publish(chatEvent("chat_deleted", customerId, randomUUID())),
        ).resolves.toBeUndefined();
        const sub = await collect(bus, [`*.${customerId}.*`]);
        const event = chatEvent("chat_updated", customerId, randomUUID());
        await bus.publish(event);
        await waitFor(() => sub.received.length > 0, { what: "the routed event" });
        await sleep(50);
        expect(sub.ids()).toEqual([event.id]);
      });

      it("redelivers an event whose handler throws, marked redelivered", async () => {
        const customerId = randomUUID();
        const attempts: Received[] = [];
        await bus.subscribe(
          { queue: uniqueQueue("retry"), bindings: [`*.${customerId}.*`] },
          async (event, context) => {
            attempts.push({ event, context });
            if (attempts.length === 1) throw new Error("transient failure");
          },
        );
        const event = chatEvent("chat_created", customerId, randomUUID());
        await bus.publish(event);
        await waitFor(() => attempts.length >= 2, { what: "the redelivery" });
        expect(attempts.map((a) => a.event.id)).toEqual([event.id, event.id]);
        expect(attempts.map((a) => a.context.redelivered)).toEqual([false, true]);
      });

      it("moves an event that fails every attempt to the dead-letter queue; the events after it go on, in their order", async () => {
        const metrics = new Metrics("bus-test", { defaultMetrics: false });
        const consumer = await peer({ metrics, maxDeliveries: 3 });
        const customerId = randomUUID();
        const chatId = randomUUID();
        const queue = uniqueQueue("poison");
        const [poison, next, last] = [1, 2, 3].map((seq) =>
          chatEvent("chat_updated", customerId, chatId, seq),
        );
        const attempts: string[] = [];
        // one consumer at a time, in order: as chat changes are consumed
        await consumer.subscribe(
          { queue, bindings: [`*.${customerId}.*`], singleActiveConsumer: true, prefetch: 1 },
          async (event) => {
            attempts.push(event.id);
            if (event.id === poison.id) throw new Error("this event can never be applied");
          },
        );
        const dead = await collect(bus, [], deadLetterQueue(queue));
        for (const event of [poison, next, last]) await bus.publish(event);
        await waitFor(() => attempts.includes(last.id), { what: "the events after the poison one" });
        await waitFor(() => dead.received.length === 1, { what: "the dead letter" });
        // A classic queue puts a failed event back at its head; a quorum queue behind the events
        // already waiting: either way it gets its attempts and the others keep their order.
        expect(attempts.filter((id) => id === poison.id)).toHaveLength(3);
        expect(attempts.filter((id) => id !== poison.id)).toEqual([next.id, last.id]);
        expect(dead.received[0].event).toEqual(poison);
        const counted = (await metrics.eventsDeadLettered.get()).values;
        expect(counted).toEqual([
          expect.objectContaining({
            labels: expect.objectContaining({ queue, type: "chat_updated" }),
            value: 1,
          }),
        ]);
      });

      it("brings back an event that is not ready yet as often as it takes, without using up its attempts", async () => {
        const consumer = await peer({ maxDeliveries: 2 });
        const customerId = randomUUID();
        const queue = uniqueQueue("not-ready");
        const event = chatEvent("chat_updated", customerId, randomUUID(), 2);
        let tries = 0;
        await consumer.subscribe({ queue, bindings: [`*.${customerId}.*`] }, async () => {
          if (++tries <= 4) throw new EventNotReady("event 2 arrived before event 1");
        });
        const dead = await collect(bus, [], deadLetterQueue(queue));
        await bus.publish(event);
        await waitFor(() => tries === 5, { what: "the fifth attempt, which succeeds" });
        await sleep(100);
        expect(tries).toBe(5);
        expect(dead.received).toEqual([]);
      });

      it("shares a subscription queue between consumers: each event goes to one of them", async () => {
        const other = await peer();
        const customerId = randomUUID();
        const queue = uniqueQueue("shared");
        const mine = await collect(bus, [`*.${customerId}.*`], queue);
        const theirs = await collect(other, [`*.${customerId}.*`], queue);
        const events = Array.from({ length: 20 }, (_, i) =>
          chatEvent("chat_updated", customerId, randomUUID(), i + 1),
        );
        await Promise.all(events.map((e) => bus.publish(e)));
        await waitFor(() => mine.received.length + theirs.received.length >= 20, { what: "all events" });
        await sleep(50);
        expect([...mine.ids(), ...theirs.ids()].sort()).toEqual(events.map((e) => e.id).sort());
        expect(mine.received.length).toBeGreaterThan(0);
        expect(theirs.received.length).toBeGreaterThan(0);
      });

      it("stops deliveries on stopConsuming; the events wait in the queue", async () => {
        const customerId = randomUUID();
        const queue = uniqueQueue("stop");
        const sub = await collect(bus, [`*.${customerId}.*`], queue);
        const before = chatEvent("chat_updated", customerId, randomUUID(), 1);
        await bus.publish(before);
        await waitFor(() => sub.received.length === 1, { what: "the first event" });
        await bus.stopConsuming();
        const after = chatEvent("chat_updated", customerId, randomUUID(), 2);
        await bus.publish(after);
        const other = await peer();
        const next = await collect(other, [`*.${customerId}.*`], queue);
        await waitFor(() => next.received.length === 1, {
          what: "the event after stopConsuming, on another consumer",
        });
        expect(next.ids()).toEqual([after.id]);
        expect(sub.ids()).toEqual([before.id]);
      });

      it("refuses to publish an invalid envelope", async () => {
        const event = { ...chatEvent("chat_created", randomUUID(), randomUUID()), seq: 0 };
        await expect(bus.publish(event)).rejects.toMatchObject({ status: "INVALID_ARGUMENT" });
      });
    });

    describe("streams", () => {
      const readers: StreamReader[] = [];
      afterEach(async () => {
        await Promise.all(readers.splice(0).map((r) => r.stop()));
      });
      const streamOf = (customerId: string, retention: Partial<StreamSpec> = {}): StreamSpec => ({
        name: uniqueQueue("stream"),
        bindings: [`*.${customerId}.*`],
        ...retention,
      });
      /** Reads a stream from `from`, collecting the entries. */
      async function read(on: Bus, spec: StreamSpec, from: StreamStart) {
        const entries: StreamEntry[] = [];
        readers.push(await on.readStream(spec, { from }, (entry) => void entries.push(entry)));
        return {
          entries,
          ids: () => entries.map((e) => e.event.id),
          offsets: () => entries.map((e) => e.offset),
        };
      }
      const publishAll = async (events: EventEnvelope[]) => {
        for (const event of events) await bus.publish(event);
      };

      it("logs every event its bindings route, in publish order, for any number of readers from the first entry", async () => {
        const customerId = randomUUID();
        const spec = streamOf(customerId);
        await bus.declareStream(spec);
        const chatId = randomUUID();
        const events = [1, 2, 3, 4, 5].map((seq) => chatEvent("chat_updated", customerId, chatId, seq));
        await publishAll(events);
        await bus.publish(chatEvent("chat_updated", randomUUID(), chatId)); // not routed to the stream
        const first = await read(bus, spec, "first");
        const second = await read(await peer(), spec, "first");
        await waitFor(() => first.entries.length >= 5 && second.entries.length >= 5, {
          what: "both readers",
        });
        await sleep(100);
        for (const reader of [first, second]) {
          expect(reader.ids()).toEqual(events.map((e) => e.id));
          expect(reader.entries[0].event).toEqual(events[0]);
          const offsets = reader.offsets();
          expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
          expect(new Set(offsets).size).toBe(offsets.length);
          expect(reader.entries.every((e) => e.timestamp > Date.now() - 60_000)).toBe(true);
        }
        expect(second.offsets()).toEqual(first.offsets());
      });

      it("reads from an offset on, from 'next' only what is appended later, and follows new entries live", async () => {
        const customerId = randomUUID();
        const spec = streamOf(customerId);
        await bus.declareStream(spec);
        const events = [1, 2, 3, 4].map((seq) => chatEvent("chat_updated", customerId, randomUUID(), seq));
        await publishAll(events);
        const all = await read(bus, spec, "first");
        await waitFor(() => all.entries.length >= 4, { what: "the four entries" });
        const fromThird = await read(bus, spec, { offset: all.entries[2].offset });
        const fromNext = await read(bus, spec, "next");
        await waitFor(() => fromThird.entries.length >= 2, { what: "the entries from the third on" });
        expect(fromThird.ids()).toEqual([events[2].id, events[3].id]);
        await sleep(200); // the 'next' reader is attached by now
        expect(fromNext.entries).toEqual([]);
        const later = chatEvent("chat_deleted", customerId, randomUUID(), 5);
        await bus.publish(later);
        await waitFor(
          () => fromNext.entries.length >= 1 && fromThird.entries.length >= 3 && all.entries.length >= 5,
          {
            what: "the new entry on every reader",
          },
        );
        expect(fromNext.ids()).toEqual([later.id]);
        expect(fromThird.ids()).toEqual([events[2].id, events[3].id, later.id]);
        expect(all.ids()).toEqual([...events, later].map((e) => e.id));
      });

      it("reads far more entries than its prefetch window, each once and in order (acknowledged as it goes)", async () => {
        const customerId = randomUUID();
        const spec = streamOf(customerId);
        await bus.declareStream(spec);
        const events = Array.from({ length: 300 }, (_, i) =>
          chatEvent("chat_updated", customerId, randomUUID(), i + 1),
        );
        await Promise.all(events.map((event) => bus.publish(event)));
        const entries: StreamEntry[] = [];
        readers.push(
          await bus.readStream(spec, { from: "first", prefetch: 7 }, async (entry) => {
            if (entries.length % 50 === 0) await sleep(5); // now and then a slower handler
            entries.push(entry);
          }),
        );
        await waitFor(() => entries.length >= events.length, { what: "all 300 entries" });
        await bus.publish(chatEvent("chat_updated", customerId, randomUUID(), 301));
        await waitFor(() => entries.length === events.length + 1, { what: "one more, live" });
        const offsets = entries.map((e) => e.offset);
        expect(new Set(entries.map((e) => e.event.id)).size).toBe(entries.length);
        expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
        expect(
          entries
            .slice(0, 300)
            .map((e) => e.event.seq)
            .sort((a, b) => a - b),
        ).toEqual(events.map((e) => e.seq));
      });

      it("follows entries that come one at a time far past its prefetch window", async () => {
        const customerId = randomUUID();
        const spec: StreamSpec = { name: uniqueQueue("trickle"), bindings: [] };
        await bus.declareStream(spec);
        const entries: StreamEntry[] = [];
        readers.push(
          await bus.readStream(spec, { from: "next", prefetch: 4 }, (entry) => {
            entries.push(entry);
          }),
        );
        await sleep(200); // the 'next' reader is attached by now
        const events = Array.from({ length: 13 }, (_, i) =>
          chatEvent("chat_updated", customerId, randomUUID(), i + 1),
        );
        for (const [i, event] of events.entries()) {
          await bus.appendToStream(spec.name, [event]);
          await waitFor(() => entries.length === i + 1, { what: `entry ${i + 1} of ${events.length}` });
        }
        expect(entries.map((e) => e.event.id)).toEqual(events.map((e) => e.id));
      });

      it("appends many events as one entry: readers get each, in order, with its own position, also from the middle of an entry", async () => {
        const customerId = randomUUID();
        const spec: StreamSpec = { name: uniqueQueue("appended"), bindings: [] };
        await bus.appendToStream(spec.name, [chatEvent("chat_updated", customerId, randomUUID(), 1)]); // not declared: dropped
        await bus.declareStream(spec);
        const first = [1, 2, 3].map((seq) => chatEvent("chat_updated", customerId, randomUUID(), seq));
        const second = [4, 5].map((seq) => chatEvent("chat_updated", customerId, randomUUID(), seq));
        await bus.appendToStream(spec.name, first);
        await bus.appendToStream(spec.name, second);
        await bus.publish(chatEvent("chat_updated", customerId, randomUUID(), 9)); // no binding: not in the stream
        const all = await read(bus, spec, "first");
        await waitFor(() => all.entries.length >= 5, { what: "the five appended events" });
        expect(all.ids()).toEqual([...first, ...second].map((e) => e.id));
        expect(all.entries[0].event).toEqual(first[0]);
        const positions = all.offsets();
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        expect(new Set(positions).size).toBe(5);
        expect(positions[1]).toBe(positions[0] + 1); // one entry: consecutive positions
        // From the middle of the first entry: its rest, then the second entry, then what comes live.
        const fromMiddle = await read(await peer(), spec, { offset: positions[1] });
        await waitFor(() => fromMiddle.entries.length >= 4, { what: "the events from the second on" });
        expect(fromMiddle.offsets()).toEqual(positions.slice(1));
        const live = chatEvent("chat_deleted", customerId, randomUUID(), 6);
        await bus.appendToStream(spec.name, [live]);
        await waitFor(() => fromMiddle.entries.length >= 5 && all.entries.length >= 6, {
          what: "the live event",
        });
        expect(fromMiddle.ids().at(-1)).toBe(live.id);
        expect(all.ids()).toEqual([...first, ...second, live].map((e) => e.id));
      });

      it("drops a binding the spec asks to remove: events routed before stay, later ones are not routed", async () => {
        const customerId = randomUUID();
        const bound = streamOf(customerId);
        await bus.declareStream(bound);
        const before = chatEvent("chat_updated", customerId, randomUUID(), 1);
        await bus.publish(before);
        const unbound: StreamSpec = { ...bound, bindings: [], unbind: bound.bindings };
        await bus.declareStream(unbound);
        await bus.publish(chatEvent("chat_updated", customerId, randomUUID(), 2));
        const appended = chatEvent("chat_updated", customerId, randomUUID(), 3);
        await bus.appendToStream(bound.name, [appended]);
        const got = await read(bus, unbound, "first");
        await waitFor(() => got.ids().includes(appended.id), { what: "the appended event" });
        expect(got.ids()).toEqual([before.id, appended.id]);
      });

      it("refuses to append an invalid envelope", async () => {
        const event = { ...chatEvent("chat_created", randomUUID(), randomUUID()), seq: 0 };
        await expect(bus.appendToStream(uniqueQueue("appended"), [event])).rejects.toMatchObject({
          status: "INVALID_ARGUMENT",
        });
      });

      it("hands an entry again while its handler throws, and holds back the entries after it", async () => {
        const customerId = randomUUID();
        const spec = streamOf(customerId);
        const events = [1, 2, 3].map((seq) => chatEvent("chat_updated", customerId, randomUUID(), seq));
        const seen: string[] = [];
        let failures = 0;
        readers.push(
          await bus.readStream(spec, { from: "first" }, (entry) => {
            seen.push(entry.event.id);
            if (entry.event.id === events[1].id && failures < 2) {
              failures++;
              throw new Error("transient failure");
            }
          }),
        );
        await publishAll(events);
        await waitFor(() => seen.length >= 5, { what: "the retried entry and the rest" });
        await sleep(100);
        expect(seen).toEqual([events[0].id, events[1].id, events[1].id, events[1].id, events[2].id]);
      });

      it("drops its oldest entries beyond its size bound: a reader asking for a dropped offset starts at the first kept one", async () => {
        const customerId = randomUUID();
        const spec = streamOf(customerId, { maxBytes: 4000, segmentBytes: 1000 });
        await bus.declareStream(spec);
        const events = Array.from({ length: 60 }, (_, i) =>
          chatEvent("chat_updated", customerId, randomUUID(), i + 1),
        );
        await publishAll(events);
        const kept = await read(bus, spec, { offset: 0 });
        await waitFor(() => kept.ids().includes(events[59].id), { what: "the newest entry" });
        expect(kept.entries.length).toBeLessThan(60);
        expect(kept.entries[0].offset).toBeGreaterThan(0);
        expect(kept.ids()).toEqual(events.slice(60 - kept.entries.length).map((e) => e.id));
      });

      it("stops handing entries once its reader is stopped", async () => {
        const customerId = randomUUID();
        const spec = streamOf(customerId);
        const got = await read(bus, spec, "first");
        await bus.publish(chatEvent("chat_updated", customerId, randomUUID(), 1));
        await waitFor(() => got.entries.length === 1, { what: "the first entry" });
        await readers.splice(0)[0].stop();
        await bus.publish(chatEvent("chat_updated", customerId, randomUUID(), 2));
        const after = await read(bus, spec, "first");
        await waitFor(() => after.entries.length === 2, { what: "both entries on a new reader" });
        expect(got.entries.length).toBe(1);
      });
    });

    describe("signals", () => {
      const typing = (customerId: string, chatId = randomUUID()): Signal<"typing"> => ({
        type: "typing",
        data: { customer_id: customerId, chat_id: chatId, parent_id: null, agent_id: randomUUID() },
      });
      async function hear(on: Bus, bindings: string[]) {
        const heard: Signal[] = [];
        const listener = await on.listen(bindings, (signal) => heard.push(signal));
        return { heard, listener };
      }
      /** Sends a last signal that every listener below hears, so that "nothing else came" is known. */
      async function settled(on: Bus, customerId: string, ...heard: Signal[][]) {
        const marker = typing(customerId);
        on.signal(marker);
        await waitFor(() => heard.every((h) => h.some((s) => sameSignal(s, marker))), {
          what: "the marker signal",
        });
        for (const h of heard)
          h.splice(
            h.findIndex((s) => sameSignal(s, marker)),
            1,
          );
      }
      const sameSignal = (a: Signal, b: Signal) => JSON.stringify(a) === JSON.stringify(b);

      it("hands each signal to every listener bound to its key, on every bus (fan-out, not competing)", async () => {
        const customerId = randomUUID();
        const other = await peer();
        const a = await hear(bus, [`typing.${customerId}.#`]);
        const b = await hear(bus, [`typing.${customerId}.*`]);
        const c = await hear(other, ["typing.#"]);
        const signal = typing(customerId);
        other.signal(signal);
        await waitFor(
          () => a.heard.length === 1 && b.heard.length === 1 && c.heard.some((s) => sameSignal(s, signal)),
          {
            what: "the signal at all three listeners",
          },
        );
        expect(a.heard).toEqual([signal]);
        expect(b.heard).toEqual([signal]);
      });

      it("routes by key: a listener bound elsewhere hears nothing", async () => {
        const customerId = randomUUID();
        const mine = await hear(bus, [`typing.${customerId}.#`]);
        const elsewhere = await hear(bus, [`typing.${randomUUID()}.#`, "agent_presence.#"]);
        bus.signal(typing(customerId));
        bus.signal(typing(customerId));
        await settled(bus, customerId, mine.heard);
        expect(mine.heard).toHaveLength(2);
        expect(elsewhere.heard.filter((s) => s.type === "typing")).toEqual([]);
      });

      it("keeps nothing: a listener hears only what is sent after it started, and nothing after it stopped", async () => {
        const customerId = randomUUID();
        bus.signal(typing(customerId));
        const late = await hear(bus, [`typing.${customerId}.#`]);
        const stopping = await hear(bus, [`typing.${customerId}.#`]);
        await settled(bus, customerId, late.heard, stopping.heard);
        expect(late.heard).toEqual([]);
        await stopping.listener.stop();
        bus.signal(typing(customerId));
        await settled(bus, customerId, late.heard);
        expect(late.heard).toHaveLength(1);
        expect(stopping.heard).toEqual([]);
      });

      it("keeps signals and events apart", async () => {
        const customerId = randomUUID();
        const events = await collect(bus, ["#"]);
        const signals = await hear(bus, ["#"]);
        await bus.publish(chatEvent("chat_created", customerId, randomUUID()));
        await waitFor(() => events.received.some((r) => r.event.customer_id === customerId), {
          what: "the event",
        });
        await settled(bus, customerId, signals.heard);
        expect(signals.heard.filter((s) => JSON.stringify(s).includes(customerId))).toEqual([]);
        expect(events.received.filter((r) => JSON.stringify(r.event).includes("typing"))).toEqual([]);
      });

      it("refuses to send an invalid signal", () => {
        expect(() =>
          bus.signal({ type: "typing", data: { customer_id: "nope" } } as unknown as Signal),
        ).toThrow(expect.objectContaining({ status: "INVALID_ARGUMENT" }));
      });

      it("stops hearing on stopConsuming", async () => {
        const customerId = randomUUID();
        const other = await peer();
        const stopped = await hear(bus, [`typing.${customerId}.#`]);
        const awake = await hear(other, [`typing.${customerId}.#`]);
        await bus.stopConsuming();
        other.signal(typing(customerId));
        await settled(other, customerId, awake.heard);
        expect(stopped.heard).toEqual([]);
      });
    });

    it("is ready while open, not after close", async () => {
      expect(bus.isReady()).toBe(true);
      await bus.close();
      expect(bus.isReady()).toBe(false);
      await expect(
        bus.call("agent.get", { customer_id: randomUUID(), agent_id: randomUUID() }),
      ).rejects.toMatchObject({
        status: "UNAVAILABLE",
      });
    });
  });
}
