/**
 * The consuming side of events, shared by both implementations: decodes and checks the envelope,
 * runs the handler and says what to do with the delivery. A handler that throws gets the event back
 * after a pause (doubling with each failure of that event); once it has failed its budget of
 * attempts, the event goes to the dead-letter queue. An `EventNotReady` error only waits: it comes
 * back after the base pause and uses up nothing. A message that is not an event envelope at all
 * is dropped (logged), since no retry could ever make it valid.
 */
import {
  type EventEnvelope,
  type ExchangeMessage,
  type PublishedExchange,
  assertValid,
  envelopeSchema,
  exchangeMessageSchemas,
} from "@talk/contracts";
import type { Logger, Metrics } from "@talk/kit";
import { type EventHandler, isNotReady } from "./bus";
import { consumeSpan } from "./tracing";
import { errorMessage, sleep } from "./util";

export type EventOutcome = "ack" | "requeue" | "drop" | { deadLetter: DeadLetter };

/** Why an event is dead-lettered, for the headers of the dead letter and the logs. */
export interface DeadLetter {
  event: ExchangeMessage;
  attempts: number;
  error: string;
}

/** The event in a message body; throws INVALID_ARGUMENT when it is not a valid envelope. */
export function parseEnvelope(body: string): EventEnvelope {
  return envelopeOf(JSON.parse(body));
}

/** The value as an event envelope, checked against its schema. */
export function envelopeOf(value: unknown): EventEnvelope {
  assertValid<EventEnvelope>(envelopeSchema, value, "event");
  return value;
}

/**
 * Failed attempts per event of one subscription, counted by its consumer (a broker's classic queue
 * does not count redeliveries). Forgotten on success or dead-lettering; bounded in size, so events
 * that failed here and then succeeded at another replica do not pile up.
 */
export class RetryBudget {
  private readonly failures = new Map<string, number>();
  private static readonly REMEMBERED = 10_000;

  constructor(
    readonly maxDeliveries: number,
    private readonly baseDelayMs: number,
    private readonly maxDelayMs: number,
  ) {}

  /** Records a failure; the number of attempts so far. */
  failed(eventId: string): number {
    const attempts = (this.failures.get(eventId) ?? 0) + 1;
    this.failures.delete(eventId);
    this.failures.set(eventId, attempts);
    if (this.failures.size > RetryBudget.REMEMBERED)
      this.failures.delete(this.failures.keys().next().value as string);
    return attempts;
  }

  forget(eventId: string): void {
    this.failures.delete(eventId);
  }

  /** The pause before the next attempt after `attempts` failures. */
  delayMs(attempts: number): number {
    return Math.min(this.baseDelayMs * 2 ** Math.min(attempts - 1, 20), this.maxDelayMs);
  }
}

/** A message of an exchange in a message body; throws INVALID_ARGUMENT when it is not one. */
export function parseMessage(body: string, exchange: PublishedExchange = "events"): ExchangeMessage {
  const value: unknown = JSON.parse(body);
  assertValid<ExchangeMessage>(exchangeMessageSchemas[exchange], value, "event");
  return value;
}

export async function dispatchEvent(
  body: string,
  redelivered: boolean,
  handler: EventHandler<ExchangeMessage>,
  options: {
    logger: Logger;
    metrics?: Metrics;
    queue: string;
    budget: RetryBudget;
    exchange?: PublishedExchange;
  },
): Promise<EventOutcome> {
  let event: ExchangeMessage;
  try {
    event = parseMessage(body, options.exchange);
  } catch (err) {
    options.logger.error(
      { queue: options.queue, err, body: body.slice(0, 500) },
      "Dropping a message that is not an event envelope",
    );
    return "drop";
  }
  const started = process.hrtime.bigint();
  try {
    await consumeSpan(options.queue, event, () => handler(event, { redelivered }));
    options.metrics?.eventHandlerDuration.observe(
      { type: event.type, outcome: "ok" },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    options.budget.forget(event.id);
    return "ack";
  } catch (err) {
    options.metrics?.eventHandlerDuration.observe(
      { type: event.type, outcome: "error" },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    const log = { queue: options.queue, eventId: event.id, type: event.type, requestId: event.request_id };
    if (isNotReady(err)) {
      options.logger.debug({ ...log, err }, "Event not ready yet; it will be redelivered");
      await sleep(options.budget.delayMs(1));
      return "requeue";
    }
    const attempts = options.budget.failed(event.id);
    if (attempts >= options.budget.maxDeliveries) {
      options.budget.forget(event.id);
      options.logger.error(
        { ...log, attempts, err },
        "Event handler failed every attempt; the event moves to the dead-letter queue",
      );
      return { deadLetter: { event, attempts, error: errorMessage(err) } };
    }
    options.logger.warn({ ...log, attempts, err }, "Event handler failed; the event will be redelivered");
    await sleep(options.budget.delayMs(attempts));
    return "requeue";
  }
}
