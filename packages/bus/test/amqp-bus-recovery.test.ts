/**
 * AmqpBus against a broker that goes away: graceful restart and SIGKILL. Its own broker, since
 * these tests stop it.
 */
import { randomUUID } from "node:crypto";
import { waitFor } from "@talk/testkit";
import type { AmqpBus } from "../src";
import { agent, chatEvent, uniqueQueue } from "./fixtures";
import { describeWithRabbit, useRabbit } from "./rabbit-suite";

describeWithRabbit("AmqpBus recovery", () => {
  const rabbit = useRabbit();
  const opened: AmqpBus[] = [];
  const connect = async (options: Parameters<typeof rabbit.connect>[0] = {}) => {
    const bus = await rabbit.connect(options);
    opened.push(bus);
    return bus;
  };
  const ready = (...buses: AmqpBus[]) =>
    waitFor(() => buses.every((b) => b.isReady()), { timeoutMs: 30_000, what: "the buses to reconnect" });

  beforeEach(() => {
    if (!rabbit.rabbit.restartable)
      console.warn("The broker cannot be restarted (TALK_TEST_RABBITMQ_URL): recovery tests do nothing");
  });

  afterEach(async () => {
    if (rabbit.rabbit.restartable) await rabbit.rabbit.start(); // in case a test failed while it was down
    await Promise.all(opened.splice(0).map((b) => b.close()));
  });

  it("fails calls in flight promptly when the broker stops, then reconnects by itself", async () => {
    if (!rabbit.rabbit.restartable) return;
    const server = await connect();
    const client = await connect();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let slow = true;
    await server.handle("agent.get", async (request) => {
      if (slow) await gate;
      return agent(request.customer_id, request.agent_id);
    });
    const request = { customer_id: randomUUID(), agent_id: randomUUID() };
    const inFlight = client.call("agent.get", request, { timeoutMs: 30_000 });
    inFlight.catch(() => undefined);
    await waitFor(
      async () =>
        (await Promise.race([
          inFlight.then(
            () => "settled",
            () => "settled",
          ),
          Promise.resolve("pending"),
        ])) === "pending",
    );

    const stopped = Date.now();
    const stopping = rabbit.rabbit.stop();
    await expect(inFlight).rejects.toMatchObject({ status: "UNAVAILABLE" });
    expect(Date.now() - stopped).toBeLessThan(5_000);
    await stopping;
    expect(client.isReady()).toBe(false);
    slow = false;
    release();
    // while the broker stays away, a call fails with UNAVAILABLE once its timeout has passed
    const started = Date.now();
    await expect(client.call("agent.get", request, { timeoutMs: 300 })).rejects.toMatchObject({
      status: "UNAVAILABLE",
      reason: "RPC_TIMEOUT",
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);

    await rabbit.rabbit.start();
    await ready(server, client);
    await expect(client.call("agent.get", request)).resolves.toMatchObject({ id: request.agent_id });
  });

  it("holds calls and publishes made during an outage until the broker is back", async () => {
    if (!rabbit.rabbit.restartable) return;
    const server = await connect();
    const client = await connect({ publishTimeoutMs: 60_000 });
    const customerId = randomUUID();
    await server.handle("agent.get", async (request) => agent(request.customer_id, request.agent_id));
    const received: string[] = [];
    await server.subscribe(
      { queue: uniqueQueue("outage"), bindings: [`*.${customerId}.*`] },
      async (event) => {
        received.push(event.id);
      },
    );

    await rabbit.rabbit.stop();
    await waitFor(() => !client.isReady(), { what: "the client to notice" });
    const event = chatEvent("chat_created", customerId, randomUUID());
    const publishing = client.publish(event);
    const request = { customer_id: customerId, agent_id: randomUUID() };
    const calling = client.call("agent.get", request, { timeoutMs: 60_000 });
    await rabbit.rabbit.start();

    await expect(publishing).resolves.toBeUndefined();
    await expect(calling).resolves.toMatchObject({ id: request.agent_id });
    await waitFor(() => received.includes(event.id), {
      timeoutMs: 10_000,
      what: "the event published during the outage",
    });
  });

  it("recovers from a SIGKILL of the broker: durable subscriptions and RPC work again", async () => {
    if (!rabbit.rabbit.restartable) return;
    const server = await connect();
    const client = await connect();
    const customerId = randomUUID();
    await server.handle("agent.get", async (request) => agent(request.customer_id, request.agent_id));
    const received: string[] = [];
    await server.subscribe(
      { queue: uniqueQueue("killed"), bindings: [`*.${customerId}.*`] },
      async (event) => {
        received.push(event.id);
      },
    );

    await rabbit.rabbit.kill();
    await waitFor(() => !server.isReady() && !client.isReady(), { what: "the buses to notice" });
    await rabbit.rabbit.start();
    await ready(server, client);

    const request = { customer_id: customerId, agent_id: randomUUID() };
    await expect(client.call("agent.get", request)).resolves.toMatchObject({ id: request.agent_id });
    const event = chatEvent("chat_updated", customerId, randomUUID());
    await client.publish(event);
    await waitFor(() => received.includes(event.id), { what: "the event after the crash" });
  });

  it("keeps a stream and its reader's place across a broker restart: no entry lost, none repeated", async () => {
    if (!rabbit.rabbit.restartable) return;
    const reader = await connect();
    const publisher = await connect({ publishTimeoutMs: 60_000 });
    const customerId = randomUUID();
    const spec = { name: uniqueQueue("stream"), bindings: [`*.${customerId}.*`] };
    const seen: string[] = [];
    const handle = await reader.readStream(
      spec,
      { from: "first" },
      (entry) => void seen.push(entry.event.id),
    );
    const before = [1, 2, 3].map((seq) => chatEvent("chat_updated", customerId, randomUUID(), seq));
    for (const event of before) await publisher.publish(event);
    await waitFor(() => seen.length >= 3, { what: "the entries before the restart" });

    await rabbit.rabbit.stop();
    await rabbit.rabbit.start();
    await ready(reader, publisher);
    const after = [4, 5].map((seq) => chatEvent("chat_updated", customerId, randomUUID(), seq));
    for (const event of after) await publisher.publish(event);
    await waitFor(() => seen.length >= 5, { timeoutMs: 20_000, what: "the entries after the restart" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toEqual([...before, ...after].map((e) => e.id));
    await handle.stop();
  });
});
