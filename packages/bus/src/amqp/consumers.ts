/**
 * Consumers on the connection's consume channel, re-created on every connection. Each remembers the
 * generation it was created on; topology (queues, bindings) is declared on a short-lived channel so
 * that a refused declaration fails the caller instead of killing a shared channel.
 */
import type { Channel, ConsumeMessage } from "amqplib";
import type { Channels } from "./connection";

export interface ConsumerSpec {
  queue: string;
  prefetch: number;
  onMessage(message: ConsumeMessage, channel: Channel): void;
  /** The broker cancelled the consumer (e.g. its queue was deleted). */
  onCancel(): void;
}

interface LiveConsumer {
  generation: number;
  tag: string;
  channel: Channel;
}

export class ConsumerSet {
  private readonly live = new Map<ConsumerSpec, LiveConsumer>();

  /** Starts `spec` on this connection unless it already runs there. */
  async ensure(channels: Channels, spec: ConsumerSpec): Promise<void> {
    const current = this.live.get(spec);
    if (current && current.generation === channels.generation) return;
    const channel = channels.consume;
    // prefetch (per consumer) applies to the consumers created after it on the channel; callers
    // run ensure() one at a time.
    await channel.prefetch(spec.prefetch);
    const { consumerTag } = await channel.consume(
      spec.queue,
      (message) => (message ? spec.onMessage(message, channel) : spec.onCancel()),
      { noAck: false },
    );
    this.live.set(spec, { generation: channels.generation, tag: consumerTag, channel });
  }

  /** Cancels every consumer on the live connection (deliveries stop; held messages can still be settled). */
  async cancelAll(channels: Channels | undefined): Promise<void> {
    const consumers = [...this.live.values()];
    this.live.clear();
    await Promise.all(
      consumers
        .filter((c) => channels && c.generation === channels.generation)
        .map((c) => c.channel.cancel(c.tag).catch(() => undefined)),
    );
  }
}

/** Runs declarations on a throwaway channel. */
export async function declare(channels: Channels, work: (channel: Channel) => Promise<void>): Promise<void> {
  const channel = await channels.connection.createChannel();
  channel.on("error", () => undefined); // the failure is reported by the rejected declaration
  try {
    await work(channel);
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** Settles a delivery; a no-op when its channel is gone (the broker requeues it by itself). */
export function settle(channel: Channel, message: ConsumeMessage, outcome: "ack" | "requeue" | "drop"): void {
  try {
    if (outcome === "ack") channel.ack(message);
    else channel.nack(message, false, outcome === "requeue");
  } catch {
    // channel closed: the message goes back to the queue
  }
}
