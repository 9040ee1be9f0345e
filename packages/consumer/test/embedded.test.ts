/**
 * Consuming the embedded system's events: started with a broker (RABBITMQ_URL), it publishes every
 * public event to `talk.events` too, and the kit's example consumes them from a real RabbitMQ as
 * it would from the distributed stack — each chat in seq order, once.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TalkClient } from "@talk/client";
import { type EmbeddedSystem, startEmbedded } from "@talk/embedded";
import { silentLogger } from "@talk/kit";
import { type RabbitHandle, startRabbit, waitFor } from "@talk/testkit";
import { startPrinter } from "../examples/print-events";

describe("consuming the embedded system's events through a broker (RABBITMQ_URL)", () => {
  let rabbit: RabbitHandle;
  let system: EmbeddedSystem;
  let dataDir: string;

  beforeAll(async () => {
    rabbit = await startRabbit();
    dataDir = mkdtempSync(join(tmpdir(), "talk-embedded-broker-"));
    system = await startEmbedded({ dataDir, port: 0, logger: silentLogger, rabbitmqUrl: rabbit.url });
  }, 180_000);
  afterAll(async () => {
    await system?.stop();
    await rabbit?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("the example prints the embedded system's events from the broker, each chat in seq order, once", async () => {
    const lines: string[] = [];
    const printer = await startPrinter(
      {
        RABBITMQ_URL: rabbit.url,
        TALK_API_URL: system.url,
        TALK_USERNAME: "alice",
        TALK_PASSWORD: "alice-talk-demo",
        CONSUMER_QUEUE: `test.embedded.${randomUUID()}`,
        CONSUMER_BINDING: "#",
      },
      (line) => lines.push(line),
    );
    try {
      const alice = await TalkClient.login(system.url, "alice", "alice-talk-demo");
      const bob = await TalkClient.login(system.url, "bob", "bob-talk-demo");
      const chat = await alice.chats.create({
        type: "group",
        name: "Embedded to broker",
        participants: [{ owner_type: "agent", owner_id: bob.identity.agentId }],
      });
      await Promise.all(
        [alice, bob].flatMap((client, who) =>
          [1, 2, 3, 4].map((n) => client.messages.send({ chat_id: chat.id, text: `${who}-${n}` })),
        ),
      );
      const ofChat = () => lines.filter((line) => line.startsWith(`chat ${chat.id} #`));
      // chat_created, bob added and his join message, 8 messages
      await waitFor(() => ofChat().length >= 11, { what: "the chat's 11 events", timeoutMs: 20_000 });
      const seqs = ofChat().map((line) => Number(/#(\d+)/.exec(line)?.[1]));
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(ofChat()[0]).toBe(`chat ${chat.id} #1 chat_created "Embedded to broker"`);
    } finally {
      await printer.stop();
    }
  });
});
