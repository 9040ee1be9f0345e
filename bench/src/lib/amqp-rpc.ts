/** B2's calling side: bare amqplib request/reply over direct reply-to, TCP_NODELAY on. */
import { randomUUID } from "node:crypto";
import * as amqp from "amqplib";

export const B2_QUEUE = "bench.b2.echo";
/** The namespace of the bus-only echo (servers/bus-echo.ts): its own queues on the stack's broker. */
export const BUS_ECHO_NAMESPACE = "bench-bus";

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

  call(body: Buffer): Promise<Buffer> {
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
      this.channel.publish("", B2_QUEUE, body, {
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
