/**
 * B2's serving side: bare amqplib request/reply, no database. One durable queue, a consumer with
 * prefetch, the request's body sent back to its `replyTo` (direct reply-to) with its
 * correlation id, then acked — the same shape as the bus's RPC, without anything else.
 */
import * as amqp from "amqplib";
import { B2_QUEUE } from "../lib/amqp-rpc";
import { ready, serveParent } from "../lib/child";

async function main() {
  const connection = await amqp.connect(process.env.RABBITMQ_URL ?? "", { noDelay: true });
  const channel = await connection.createChannel();
  await channel.assertQueue(B2_QUEUE, { durable: true });
  await channel.prefetch(32);
  await channel.consume(B2_QUEUE, (message) => {
    if (!message) return;
    channel.publish("", String(message.properties.replyTo), message.content, {
      correlationId: message.properties.correlationId as string,
      contentType: "application/json",
    });
    channel.ack(message);
  });
  ready({});
  serveParent({});
}

main().catch((error: unknown) => {
  process.send?.({ error: String(error) });
  process.exit(1);
});
