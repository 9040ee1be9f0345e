/** B2's calling side: bare amqplib request/reply over direct reply-to, TCP_NODELAY on. */
import { randomUUID } from "node:crypto";
import * as amqp from "amqplib";

/**
 * The queue types B2 is measured on: `quorum`, the type of the stack's RPC request queues (the
 * bus's default, RABBITMQ_QUEUE_TYPE), so B2 is the bare broker hop as deployed; and `classic`, the
 * unreplicated queue (no Raft log written before delivery), shown beside it.
 */
export type B2QueueType = "quorum" | "classic";
export const B2_QUEUE_TYPES: readonly B2QueueType[] = ["quorum", "classic"];

/** B2's durable request queue of each type, and its declaration arguments. */
export const B2_QUEUES: Record<B2QueueType, { name: string; arguments: Record<string, unknown> }> = {
  quorum: { name: "bench.b2.echo.quorum", arguments: { "x-queue-type": "quorum" } },
  classic: { name: "bench.b2.echo.classic", arguments: {} },
};

/** The namespace of the bus-only echo (servers/bus-echo.ts) on each queue type: its own queues on the stack's broker. */
export const BUS_ECHO_NAMESPACES: Record<B2QueueType, string> = {
  quorum: "bench-bus",
  classic: "bench-bus-classic",
};

export class BareRpcClient {
  private readonly pending = new Map<string, (body: Buffer | Error) => void>();

  private constructor(
    private readonly connection: amqp.ChannelModel,
    private readonly channel: amqp.Channel,
  ) {}

  static async connect(url: string): Promise<BareRpcClient> {
    const connection = await amqp.connect(url, { noDelay: true });
    const channel = await connection.createChannel();
    const client = new BareRpcClient(connection, channel);
    await channel.consume(
      "amq.rabbitmq.reply-to",
      (message) => {
        if (!message) return;
        const id = String(message.properties.correlationId);
        client.pending.get(id)?.(message.content);
      },
      { noAck: true },
    );
    return client;
  }

  /** One request to B2's queue of `type`, its reply. */
  call(type: B2QueueType, body: Buffer): Promise<Buffer> {
    const correlationId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.pending.get(correlationId)?.(new Error("no reply within 5 s")),
        5000,
      );
      this.pending.set(correlationId, (reply) => {
        clearTimeout(timer);
        this.pending.delete(correlationId);
        if (reply instanceof Error) reject(reply);
        else resolve(reply);
      });
      this.channel.publish("", B2_QUEUES[type].name, body, {
        correlationId,
        replyTo: "amq.rabbitmq.reply-to",
        contentType: "application/json",
      });
    });
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
