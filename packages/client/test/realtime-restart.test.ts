/**
 * The SDK's promise on the distributed stack (push replicas as their own processes): while
 * messages keep coming, the push replica a client is connected to is stopped, killed, restarted,
 * and the client — reconnecting with backoff and resuming from its cursor, on the same replica or
 * another — still hands the application every message exactly once, in order.
 */
import { newCustomer, startDistributedStack, type TestStack, useStack } from "../../../test/support/stacks";
import { type RealtimeSubscription, TalkClient } from "../src/node";
import { describeNeeding } from "@talk/testkit";

describeNeeding(["rabbitmq", "postgres"])("the SDK on the distributed stack", () => {
  const current = useStack(startDistributedStack);

  async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends numbered messages one after another until stopped; `sent` holds the acknowledged ones. */
  function startSending(client: TalkClient, chatId: string, prefix: string) {
    const sent: string[] = [];
    let running = true;
    const done = (async () => {
      for (let i = 1; running; i++) {
        const text = `${prefix} ${i}`;
        await client.messages.send({ chat_id: chatId, text });
        sent.push(text);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    return {
      sent,
      /** Waits for `count` more acknowledged messages. */
      async more(count: number, what: string) {
        const target = sent.length + count;
        await until(() => sent.length >= target, what);
      },
      async stop() {
        running = false;
        await done;
      },
    };
  }

  describe("the SDK's real-time client (distributed)", () => {
    let stack: TestStack;
    let alice: TalkClient, bob: TalkClient;
    let chatId: string;
    const opened: RealtimeSubscription[] = [];

    beforeAll(async () => {
      stack = current();
      const { agents } = await newCustomer(stack, 2);
      [alice, bob] = agents.map(
        (agent) => new TalkClient({ baseUrl: stack.api.baseUrl, token: agent.token }),
      );
      chatId = (
        await alice.chats.create({
          type: "group",
          name: "Restarts",
          participants: [{ owner_type: "agent", owner_id: bob.identity.agentId }],
        })
      ).id;
    });
    afterEach(() => {
      for (const live of opened.splice(0)) live.close();
    });

    /** Bob's live view of the chat's normal messages, through the given push replicas. */
    const listen = async (urls: string[]) => {
      const texts: string[] = [];
      const reconnections: string[] = [];
      const live = bob.realtime({
        url: urls,
        topics: [`agent_id:${bob.identity.agentId}:chat:${chatId}`],
        initialDelayMs: 100,
        maxDelayMs: 1000,
        onStatus: (status) => status === "reconnecting" && reconnections.push(status),
        onEvent: (event) => {
          if (event.type === "chatmessage_created" && event.data.type === "normal")
            texts.push(event.data.text);
        },
      });
      opened.push(live);
      await live.ready;
      return { texts, reconnections };
    };

    it("survives its push replica being stopped and killed, and restarted, without missing an event", async () => {
      const push = stack.distributed!.byService("push")[0];
      const { texts, reconnections } = await listen([push.url]);
      const sender = startSending(alice, chatId, "restart");
      await until(() => texts.length >= 3, "the first messages");

      await push.stop(); // graceful: clients are told 1012 and reconnect
      await sender.more(3, "messages sent while push is down");
      await push.start();
      await until(() => texts.length >= sender.sent.length, "the messages sent while push was stopped");

      await push.kill(); // SIGKILL mid-stream
      await sender.more(3, "messages sent while push is dead");
      await push.start();
      await sender.stop();

      await until(() => texts.length >= sender.sent.length, "every acknowledged message");
      expect(texts).toEqual(sender.sent);
      expect(reconnections.length).toBeGreaterThanOrEqual(2);
      const history = (await bob.messages.list(chatId).toArray())
        .filter((m) => m.text.startsWith("restart "))
        .map((m) => m.text);
      expect(history.reverse()).toEqual(texts);
    });

    it("moves to another push replica with its cursor when its replica dies", async () => {
      const [first, second] = stack.distributed!.byService("push");
      const { texts } = await listen([second.url, first.url]);
      const sender = startSending(alice, chatId, "failover");
      await until(() => texts.length >= 3, "the first messages");
      await second.kill();
      await sender.more(5, "messages sent after the replica died");
      await sender.stop();
      await until(() => texts.length >= sender.sent.length, "every acknowledged message");
      expect(texts).toEqual(sender.sent);
      await second.start();
    });
  });
});
