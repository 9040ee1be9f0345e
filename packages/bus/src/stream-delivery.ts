/**
 * The reading side of streams, shared by both implementations: decodes an entry (one event, or
 * several appended together) and hands its events to the handler in order, retrying the same event
 * after a pause while the handler throws (later events wait, so order holds). An entry that does
 * not hold event envelopes is skipped (logged): no retry could fix it.
 */
import type { Logger } from "@talk/kit";
import type { EventEnvelope } from "@talk/contracts";
import type { StreamEntry, StreamHandler } from "./bus";
import { envelopeOf } from "./event-dispatch";
import { sleep } from "./util";

/** Positions per stream entry: an event's position is its entry's offset × this + its index. */
export const POSITIONS_PER_ENTRY = 1024;

/** The offset of the entry that holds the event at `position`. */
export const entryOffsetOf = (position: number): number => Math.floor(position / POSITIONS_PER_ENTRY);

/** The events of an entry body: a JSON array of envelopes, or one envelope. */
export function entryBody(events: readonly EventEnvelope[]): string {
  return JSON.stringify(events);
}

/**
 * What `appendToStream` writes, for both buses: the events checked against the envelope schema
 * (throws INVALID_ARGUMENT on the first that is not one), as entries of at most POSITIONS_PER_ENTRY.
 */
export function entriesOf(events: readonly EventEnvelope[]): EventEnvelope[][] {
  for (const event of events) envelopeOf(event);
  const entries: EventEnvelope[][] = [];
  for (let i = 0; i < events.length; i += POSITIONS_PER_ENTRY)
    entries.push(events.slice(i, i + POSITIONS_PER_ENTRY));
  return entries;
}

export interface StreamDeliveryOptions {
  stream: string;
  logger: Logger;
  redeliveryDelayMs: number;
  /** True once the reader was stopped: a failing entry is then given up. */
  stopped(): boolean;
}

/**
 * Hands the events of entry `raw` at position `from` or later to the handler, in order. Answers the
 * position to read on from: past the entry, or at the event that was being handled when the reader
 * stopped.
 */
export async function deliverStreamEntry(
  raw: { offset: number; body: string; timestamp: number },
  from: number,
  handler: StreamHandler,
  options: StreamDeliveryOptions,
): Promise<number> {
  const first = raw.offset * POSITIONS_PER_ENTRY;
  const next = first + POSITIONS_PER_ENTRY;
  let events: EventEnvelope[];
  try {
    const parsed: unknown = JSON.parse(raw.body);
    events = Array.isArray(parsed) ? parsed.map(envelopeOf) : [envelopeOf(parsed)];
  } catch (err) {
    options.logger.error(
      { stream: options.stream, offset: raw.offset, err, body: raw.body.slice(0, 500) },
      "Skipping a stream entry that does not hold event envelopes",
    );
    return next;
  }
  for (let i = Math.max(0, from - first); i < events.length; i++) {
    const entry: StreamEntry = { offset: first + i, event: events[i], timestamp: raw.timestamp };
    for (;;) {
      try {
        await handler(entry);
        break;
      } catch (err) {
        options.logger.warn(
          { stream: options.stream, offset: entry.offset, eventId: entry.event.id, err },
          "Stream handler failed; the entry will be handed again",
        );
        await sleep(options.redeliveryDelayMs);
        if (options.stopped()) return entry.offset;
      }
    }
  }
  return next;
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
