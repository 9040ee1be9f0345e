/**
 * B2's serving side: bare amqplib request/reply, no database. Two durable queues, one quorum (the
 * type of the stack's RPC request queues) and one classic, each with a consumer with prefetch; the
 * request's body is sent back to its `replyTo` (direct reply-to) with its correlation id, then
 * acked — the same shape as the bus's RPC, without anything else.
 */
import * as amqp from "amqplib";
import { B2_QUEUES, B2_QUEUE_TYPES } from "../lib/amqp-rpc";
import { ready, serveParent } from "../lib/child";

async function main() {
  const connection = await amqp.connect(process.env.RABBITMQ_URL ?? "", { noDelay: true });
  const channel = await connection.createChannel();
  await channel.prefetch(32);
  for (const type of B2_QUEUE_TYPES) {
    const queue = B2_QUEUES[type];
    await channel.assertQueue(queue.name, { durable: true, arguments: queue.arguments });
    await channel.consume(queue.name, (message) => {
      if (!message) return;
      channel.publish("", String(message.properties.replyTo), message.content, {
        correlationId: message.properties.correlationId as string,
        contentType: "application/json",
      });
      channel.ack(message);
    });
  }
  ready({});
  serveParent({});
}

main().catch((error: unknown) => {
  process.send?.({ error: String(error) });
  process.exit(1);
});
