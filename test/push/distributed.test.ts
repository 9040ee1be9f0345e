/**
 * The push suite against the distributed stack (two push replicas over RabbitMQ), plus what only
 * a real deployment shows: resuming on the other replica after a push restart, and a stalled
 * reader cut off while everyone else keeps receiving. The send buffer bound is small here, so a
 * stalled reader is found quickly.
 */
import type { EventFrame } from "@talk/contracts";
import { describeNeeding, waitFor } from "@talk/testkit";
import { metricTotal } from "../support/exposition";
import { type TestAgent, newCustomer, startDistributedStack, useStack } from "../support/stacks";
import { describePush } from "./push.suite";
import { describePresence, presenceFrames } from "./presence.suite";
import { describeReadMarks } from "./read-marks.suite";
import { PushClient, chatOf } from "./support/push-client";

describeNeeding(["rabbitmq", "postgres"])("push on the distributed stack", () => {
  const SEND_BUFFER_BYTES = 65_536;
  /** Presence reports every 200 ms, trusted for 1.5 s: a killed replica's agents go offline within 1.5 s (+ a tick). */
  const PRESENCE_EXPIRY_MS = 1500;
  const stack = useStack(() =>
    startDistributedStack({
      env: {
        WS_SEND_BUFFER_BYTES: String(SEND_BUFFER_BYTES),
        PRESENCE_HEARTBEAT_MS: "200",
        PRESENCE_REPLICA_EXPIRY_MS: String(PRESENCE_EXPIRY_MS),
      },
    }),
  );
  describePush("distributed", stack);
  describePresence("distributed", stack);
  describeReadMarks("distributed", stack);

  describe("presence across push replicas (distributed)", () => {
    const clients: PushClient[] = [];
    const connect = async (agent: TestAgent, url: string) => {
      const client = await PushClient.connect(url, agent.token);
      clients.push(client);
      return client;
    };

    afterEach(() => {
      for (const client of clients.splice(0)) {
        expect(client.invalid).toEqual([]);
        client.kill();
      }
    });

    it("counts an agent connected to both replicas once, and shows it offline only when both connections closed", async () => {
      const [url1, url2] = stack().wsUrls;
      const { customerId, agents } = await newCustomer(stack(), 3);
      const [alice, bob, carol] = agents;
      const watcher = await connect(alice, url1);
      await watcher.subscribe(`customer_id:${customerId}:presence`);
      const on1 = await connect(bob, url1);
      const on2 = await connect(bob, url2);
      await watcher.until((c) => presenceFrames(c, bob.id).length >= 1, "bob online");
      await on1.close();
      await connect(carol, url1); // the marker: a change of bob's would come before it
      await watcher.until((c) => presenceFrames(c, carol.id).length >= 1, "carol online");
      expect(presenceFrames(watcher, bob.id).map((f) => f.data.status)).toEqual(["online"]);
      await on2.close();
      await watcher.until((c) => presenceFrames(c, bob.id).length >= 2, "bob offline");
      expect(presenceFrames(watcher, bob.id).map((f) => f.data.status)).toEqual(["online", "offline"]);
    });

    it("shows the agents of a SIGKILLed replica offline within the expiry, keeps those connected elsewhere, and brings them back when they reconnect", async () => {
      const [url1, url2] = stack().wsUrls;
      const push2 = stack().distributed!.byService("push")[1];
      const { customerId, agents } = await newCustomer(stack(), 3);
      const [alice, bob, carol] = agents;
      const watcher = await connect(alice, url1);
      await watcher.subscribe(`customer_id:${customerId}:presence`);
      await connect(bob, url2);
      await connect(carol, url2);
      await connect(carol, url1);
      await watcher.until(
        (c) => presenceFrames(c, bob.id).length >= 1 && presenceFrames(c, carol.id).length >= 1,
        "bob and carol online",
      );
      const killed = Date.now();
      await push2.kill();
      try {
        await watcher.until(
          (c) => presenceFrames(c, bob.id).length >= 2,
          "bob offline",
          PRESENCE_EXPIRY_MS + 10_000,
        );
        const offlineAfterMs = Date.now() - killed;
        expect(presenceFrames(watcher, bob.id).map((f) => f.data.status)).toEqual(["online", "offline"]);
        expect(offlineAfterMs).toBeGreaterThanOrEqual(PRESENCE_EXPIRY_MS - 400); // expired, not told
        // every agent-manager replica expires the replica on its own tick: each says so within a tick
        await waitFor(
          async () => (await alice.api.get(`/agents/${bob.id}`)).body.presence.status === "offline",
          {
            what: "every agent-manager replica to show bob offline",
            timeoutMs: 5000,
          },
        );
        expect((await alice.api.get(`/agents/${carol.id}`)).body.presence.status).toBe("online");
        // and counts it: a replica that fell silent, not one that said goodbye (each agent-manager
        // replica on its own tick: the answer above came from one of them)
        for (const manager of stack().distributed!.byService("agent-manager"))
          await waitFor(
            async () =>
              (await metricTotal([`${manager.url}/metrics`], "talk_presence_push_replicas_expired_total")) >=
              1,
            { what: `agent-manager at ${manager.url} to count the expired push replica`, timeoutMs: 5000 },
          );
        await connect(bob, url1); // the client reconnects elsewhere
        await watcher.until((c) => presenceFrames(c, bob.id).length >= 3, "bob online again");
        expect(presenceFrames(watcher, carol.id).map((f) => f.data.status)).toEqual(["online"]);
      } finally {
        await push2.start(); // the next tests use both replicas
      }
    });
  });

  describe("push replicas (distributed)", () => {
    let alice: TestAgent, bob: TestAgent, carol: TestAgent;
    const clients: PushClient[] = [];
    const connect = async (agent: TestAgent, url: string, cursor?: string) => {
      const client = await PushClient.connect(url, agent.token, { cursor });
      clients.push(client);
      return client;
    };
    const createChat = async (by: TestAgent, others: TestAgent[]) =>
      (
        await by.api.post("/service_agents/talk_chats", {
          type: "group",
          name: "replicas",
          participants: others.map((a) => ({ owner_type: "agent", owner_id: a.id })),
        })
      ).body as { id: string };
    const send = async (by: TestAgent, chatId: string, text: string) => {
      const res = await by.api.post("/service_agents/talk_messages", {
        chat_id: chatId,
        type: "normal",
        text,
      });
      expect(res.status).toBe(200);
    };
    const textOf = (f: EventFrame) => (f.data as { text?: string }).text;
    const key = (f: EventFrame) => `${f.type} ${chatOf(f)} ${f.seq}`;

    beforeEach(async () => {
      [alice, bob, carol] = (await newCustomer(stack(), 3)).agents;
    });

    afterEach(async () => {
      for (const client of clients.splice(0)) {
        expect(client.invalid).toEqual([]);
        client.kill();
      }
    });

    it("gives a client killed mid-stream, reconnected with its cursor to the other replica after a push restart, every missed event exactly once", async () => {
      const [url1, url2] = stack().wsUrls;
      const push2 = stack().distributed!.byService("push")[1];
      const chat = await createChat(alice, [bob]);
      const observer = await connect(bob, url1);
      await observer.subscribe(`agent_id:${bob.id}:chat`);
      const victim = await connect(bob, url1);
      await victim.subscribe(`agent_id:${bob.id}:chat`);
      const onRestarting = await connect(bob, url2);
      await onRestarting.subscribe(`agent_id:${bob.id}:chat`);

      const sending = (async () => {
        for (let i = 0; i < 60; i++) await send(alice, chat.id, `n${i}`);
      })();
      await victim.until((c) => c.events().length >= 10, "the stream under way");
      victim.kill();
      const cursor = victim.lastCursor() as string;
      const seenBeforeKill = victim.events().map(key);

      await push2.stop(); // graceful: its clients are told to reconnect
      expect(await onRestarting.closed).toMatchObject({ code: 1012 });
      await push2.start();
      const resumed = await connect(bob, url2, cursor);
      expect(await resumed.subscribe(`agent_id:${bob.id}:chat`)).toMatchObject({ cursor });
      await sending;
      await send(alice, chat.id, "after the restart");
      for (const client of [observer, resumed])
        await client.until(
          (c) => c.events().some((f) => textOf(f) === "after the restart"),
          "the last message",
          60_000,
        );

      // (the observer subscribed a moment earlier: compare from the victim's first event)
      const all = observer.events().map(key).slice(observer.events().map(key).indexOf(seenBeforeKill[0]));
      const missed = all.slice(all.indexOf(seenBeforeKill[seenBeforeKill.length - 1]) + 1);
      expect(resumed.events().map(key)).toEqual(missed);
      expect([...seenBeforeKill, ...resumed.events().map(key)]).toEqual(all);
      expect(resumed.events().filter((f) => /^n\d+$/.test(textOf(f) ?? "")).length).toBeGreaterThan(0);
    });

    it("cuts off a stalled reader once its send buffer passes the bound, while the others keep receiving", async () => {
      const url = stack().wsUrls[0];
      const chat = await createChat(alice, [bob, carol]);
      const steady = await connect(carol, url);
      await steady.subscribe(`agent_id:${carol.id}:chat`);
      const stalled = await connect(bob, url);
      await stalled.subscribe(`agent_id:${bob.id}:chat`);
      (stalled.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

      const cutOff = async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return Number(/^talk_push_slow_consumers_total\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0);
      };
      const before = await cutOff();
      const big = "✓".repeat(16_000); // about 48 KB per frame
      let sent = 0;
      await waitFor(
        async () => {
          await Promise.all([1, 2, 3, 4].map(() => send(alice, chat.id, big)));
          sent += 4;
          return (await cutOff()) > before;
        },
        { timeoutMs: 90_000, intervalMs: 1, what: "the stalled reader to be cut off" },
      );
      await send(alice, chat.id, "still flowing");
      await steady.until(
        (c) => c.events().some((f) => textOf(f) === "still flowing"),
        "the message after the cut",
        60_000,
      );
      expect(steady.events().filter((f) => textOf(f) === big)).toHaveLength(sent);

      (stalled.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      const { code } = await stalled.closed;
      expect([1013, 1006]).toContain(code); // 1013 when the close frame got through the full buffer
      // nothing was sent to it after the cut (what was queued before may still arrive, then the close)
      expect(stalled.events().filter((f) => textOf(f) === big).length).toBeLessThanOrEqual(sent);
      expect(stalled.events().some((f) => textOf(f) === "still flowing")).toBe(false);
    });
  });
});
