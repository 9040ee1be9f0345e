/**
 * A service that consumes Talk's events: it prints each event as its handler gets it — once, in
 * each chat's `seq` order — and, after a gap, the messages its recovery read through the API.
 *
 *   RABBITMQ_URL=amqp://guest:guest@localhost:5672 TALK_API_URL=http://localhost:8080 \
 *   TALK_USERNAME=alice TALK_PASSWORD=alice-talk-demo npx pnpm --filter @talk/consumer example
 *
 * (Against the distributed stack, `npx pnpm stack`, or the embedded one started with RABBITMQ_URL.)
 */
import { AmqpBus } from "@talk/bus";
import { TalkClient } from "@talk/client";
import type { EventEnvelope } from "@talk/contracts";
import { type Config, type ConfigSpec, type Logger, loadConfig, runMain } from "@talk/kit";
import { EventConsumer, MemoryCheckpoints, recoverMessagesThroughApi } from "../src";

export const printerConfig = {
  RABBITMQ_URL: { kind: "url", description: "the broker Talk publishes to", protocols: ["amqp", "amqps"] },
  TALK_API_URL: { kind: "url", description: "Talk's API, to recover gaps", protocols: ["http", "https"] },
  TALK_USERNAME: { kind: "string", description: "an admin agent whose customer's chats gaps are read from" },
  TALK_PASSWORD: { kind: "string", description: "that agent's password", secret: true },
  CONSUMER_QUEUE: { kind: "string", description: "the durable queue", default: "example.print-events" },
  CONSUMER_BINDING: { kind: "string", description: "routing pattern(s), comma-separated", default: "#" },
} as const satisfies ConfigSpec;

export type PrinterConfig = Config<typeof printerConfig>;

export function describe(event: EventEnvelope): string {
  const what = event.type.startsWith("chatmessage_")
    ? `"${(event.data as { text: string }).text}"`
    : event.type.startsWith("chatparticipant_")
      ? `agent ${(event.data as { owner_id: string }).owner_id}`
      : `"${(event.data as { name: string }).name}"`;
  return `chat ${event.chat_id} #${event.seq} ${event.type} ${what}`;
}

export async function startPrinter(
  config: PrinterConfig,
  print: (line: string) => void,
  logger?: Logger,
): Promise<{ consumer: EventConsumer; stop(): Promise<void> }> {
  const bus = await AmqpBus.connect({ url: config.RABBITMQ_URL, service: "example-printer", logger });
  const api = await TalkClient.login(config.TALK_API_URL, config.TALK_USERNAME, config.TALK_PASSWORD);
  const consumer = new EventConsumer({
    bus,
    queue: config.CONSUMER_QUEUE,
    bindings: config.CONSUMER_BINDING.split(",").map((pattern) => pattern.trim()),
    checkpoints: new MemoryCheckpoints(),
    logger,
    handle: async (event) => print(describe(event)),
    recover: recoverMessagesThroughApi({
      client: () => api,
      onMessages: async (gap, messages) => {
        print(
          `chat ${gap.chat_id} gap #${gap.from}..#${gap.to}: read ${messages.length} messages from the API`,
        );
        for (const message of messages) print(`chat ${gap.chat_id} recovered "${message.text}"`);
      },
    }),
  });
  await consumer.start();
  return {
    consumer,
    async stop() {
      consumer.stop();
      await bus.close();
    },
  };
}

if (require.main === module)
  void runMain("print-events", async (logger) =>
    startPrinter(loadConfig(printerConfig), console.log, logger),
  );
