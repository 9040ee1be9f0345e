/**
 * Declares the bus's durable queues with the configured type and replication. A queue that already
 * exists with other arguments (a classic queue on a broker being moved to quorum queues, or another
 * replica count) is kept as it is and a warning says so: a queue's type cannot change in place, and
 * stopping a service over it would lose more than it saves. docs/operations.md ("Moving from classic
 * queues") says how to move such a queue without losing its messages.
 */
import type { Logger } from "@talk/kit";
import { errorMessage } from "../util";
import type { Channels } from "./connection";
import { declare } from "./consumers";
import { type DurableQueueOptions, type QueueSettings, durableQueueArguments } from "./queue-types";

export class DurableQueues {
  /** Queues already reported as kept with other arguments (one warning per queue and process). */
  private readonly reported = new Set<string>();

  constructor(
    readonly settings: QueueSettings,
    private readonly logger: Logger,
  ) {}

  async assert(channels: Channels, queue: string, options: DurableQueueOptions = {}): Promise<void> {
    const args = durableQueueArguments(this.settings, options, channels.brokerMajor);
    await assertKeepingExisting(channels, queue, args, (err) => {
      if (this.reported.has(queue)) return;
      this.reported.add(queue);
      this.logger.warn(
        { queue, wanted: args, err: errorMessage(err) },
        "The queue exists with other arguments (type or replication); keeping it as it is — see docs/operations.md (Moving from classic queues) to move it",
      );
    });
  }
}

/**
 * `assertQueue`, or — when the broker refuses because the queue exists with other arguments
 * (PRECONDITION_FAILED) — a check that it exists, reported through `kept`.
 */
export async function assertKeepingExisting(
  channels: Channels,
  queue: string,
  args: Record<string, unknown>,
  kept: (err: unknown) => void,
): Promise<void> {
  try {
    await declare(channels, (channel) =>
      channel.assertQueue(queue, { durable: true, arguments: args }).then(() => undefined),
    );
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err;
    await declare(channels, (channel) => channel.checkQueue(queue).then(() => undefined));
    kept(err);
  }
}

export function isPreconditionFailed(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === 406;
}
