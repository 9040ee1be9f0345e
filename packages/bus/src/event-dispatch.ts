/**
 * The consuming side of events, shared by both implementations: decodes and checks the envelope,
 * runs the handler and says what to do with the delivery. A handler that throws gets the event back
 * after a pause; a message that is not an event envelope at all is dropped (logged), since no retry
 * could ever make it valid.
 */
import { assertValid, envelopeSchema, type EventEnvelope } from "@talk/contracts";
import type { Logger, Metrics } from "@talk/kit";
import type { EventHandler } from "./bus";
import { sleep } from "./util";

export type EventOutcome = "ack" | "requeue" | "drop";

/** The event in a message body; throws INVALID_ARGUMENT when it is not a valid envelope. */
export function parseEnvelope(body: string): EventEnvelope {
  return envelopeOf(JSON.parse(body));
}

/** The value as an event envelope, checked against its schema. */
export function envelopeOf(value: unknown): EventEnvelope {
  assertValid<EventEnvelope>(envelopeSchema, value, "event");
  return value;
}

export async function dispatchEvent(
  body: string,
  redelivered: boolean,
  handler: EventHandler,
  options: { logger: Logger; metrics?: Metrics; queue: string; redeliveryDelayMs: number },
): Promise<EventOutcome> {
  let event: EventEnvelope;
  try {
    event = parseEnvelope(body);
  } catch (err) {
    options.logger.error(
      { queue: options.queue, err, body: body.slice(0, 500) },
      "Dropping a message that is not an event envelope",
    );
    return "drop";
  }
  const started = process.hrtime.bigint();
  try {
    await handler(event, { redelivered });
    options.metrics?.eventHandlerDuration.observe(
      { type: event.type, outcome: "ok" },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    return "ack";
  } catch (err) {
    options.metrics?.eventHandlerDuration.observe(
      { type: event.type, outcome: "error" },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    options.logger.warn(
      { queue: options.queue, eventId: event.id, type: event.type, requestId: event.request_id, err },
      "Event handler failed; the event will be redelivered",
    );
    await sleep(options.redeliveryDelayMs);
    return "requeue";
  }
}
