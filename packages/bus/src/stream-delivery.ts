/**
 * The reading side of streams, shared by both implementations: decodes an entry and hands it to the
 * handler, retrying the same entry after a pause while the handler throws (later entries wait, so
 * order holds). An entry that is not an event envelope is skipped (logged): no retry could fix it.
 */
import type { Logger } from "@talk/kit";
import type { StreamEntry, StreamHandler } from "./bus";
import { parseEnvelope } from "./event-dispatch";
import { sleep } from "./util";

export interface StreamDeliveryOptions {
  stream: string;
  logger: Logger;
  redeliveryDelayMs: number;
  /** True once the reader was stopped: a failing entry is then given up. */
  stopped(): boolean;
}

export async function deliverStreamEntry(
  raw: { offset: number; body: string; timestamp: number },
  handler: StreamHandler,
  options: StreamDeliveryOptions,
): Promise<void> {
  let entry: StreamEntry;
  try {
    entry = { offset: raw.offset, event: parseEnvelope(raw.body), timestamp: raw.timestamp };
  } catch (err) {
    options.logger.error(
      { stream: options.stream, offset: raw.offset, err, body: raw.body.slice(0, 500) },
      "Skipping a stream entry that is not an event envelope",
    );
    return;
  }
  for (;;) {
    try {
      await handler(entry);
      return;
    } catch (err) {
      options.logger.warn(
        { stream: options.stream, offset: entry.offset, eventId: entry.event.id, err },
        "Stream handler failed; the entry will be handed again",
      );
      await sleep(options.redeliveryDelayMs);
      if (options.stopped()) return;
    }
  }
}

/** The retention arguments of a RabbitMQ stream queue. */
export function streamArguments(spec: {
  maxAgeSeconds?: number;
  maxBytes?: number;
  segmentBytes?: number;
}): Record<string, unknown> {
  return {
    "x-queue-type": "stream",
    ...(spec.maxAgeSeconds ? { "x-max-age": `${spec.maxAgeSeconds}s` } : {}),
    ...(spec.maxBytes ? { "x-max-length-bytes": spec.maxBytes } : {}),
    ...(spec.segmentBytes ? { "x-stream-max-segment-size-bytes": spec.segmentBytes } : {}),
  };
}
