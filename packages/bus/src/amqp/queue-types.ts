/**
 * Which RabbitMQ queue type each durable queue gets, and with how many replicas (see
 * docs/decisions/replicated-queues.md). Durable queues (RPC requests, event subscriptions with the
 * single-active-consumer chat changes, dead letters) are quorum queues by default: Raft-replicated,
 * a publisher confirm only once a majority of replicas has the message. Streams are replicated the
 * same way. Queues that only live as long as a connection (signal listeners, direct reply-to) stay
 * classic and exclusive: quorum queues cannot be exclusive, auto-deleted or transient.
 *
 * On a single node the same declarations work: the broker places min(replicas, nodes) members.
 */

export type DurableQueueType = "quorum" | "classic";

export interface QueueSettings {
  /** Type of every durable queue the bus declares (default quorum). */
  type: DurableQueueType;
  /** Replicas of each quorum queue and stream when first declared (default 3); the broker caps it at its node count. */
  replicas: number;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = { type: "quorum", replicas: 3 };

export interface DurableQueueOptions {
  /** One consumer at a time, across connections (the chat-changes queue). */
  singleActiveConsumer?: boolean;
}

/**
 * The declaration arguments of a durable queue. `brokerMajor` is the broker's major version: since
 * 4.0 a quorum queue drops (or dead-letters) a message after 20 redeliveries unless its delivery
 * limit says otherwise, and Talk keeps its own budget (events not ready yet come back as often as it
 * takes), so the broker's limit is switched off with -1, a value that brokers before 4.0 refuse.
 */
export function durableQueueArguments(
  settings: QueueSettings,
  options: DurableQueueOptions,
  brokerMajor: number,
): Record<string, unknown> {
  return {
    ...(settings.type === "quorum"
      ? {
          "x-queue-type": "quorum",
          "x-quorum-initial-group-size": settings.replicas,
          ...(brokerMajor >= 4 ? { "x-delivery-limit": -1 } : {}),
        }
      : {}),
    ...(options.singleActiveConsumer ? { "x-single-active-consumer": true } : {}),
  };
}

/** The replication argument of a stream (always replicated: streams have no unreplicated form). */
export function streamReplication(settings: QueueSettings): Record<string, unknown> {
  return { "x-initial-cluster-size": settings.replicas };
}

/** The major version in a broker's `version` server property ("3.13.7" → 3); 0 when unknown. */
export function brokerMajorVersion(version: unknown): number {
  const text = Buffer.isBuffer(version) ? version.toString("utf8") : String(version ?? "");
  const major = Number(/^(\d+)\./.exec(text)?.[1]);
  return Number.isInteger(major) ? major : 0;
}
