/**
 * Events over RabbitMQ: the durable topic exchange, publishing with publisher confirms (retried
 * across reconnections until the publish timeout), and durable subscription queues bound by
 * routing-key patterns (quorum queues unless configured otherwise; the chat changes' with a single
 * active consumer), consumed with manual acks; an event whose handler failed every attempt is
 * published (confirmed) to the subscription's dead-letter queue before it is acknowledged.
 */
import type { Channel, ConsumeMessage } from "amqplib";
import {
  routingKey,
  unavailable,
  type EventEnvelope,
  type ExchangeMessage,
  type ExchangeName,
} from "@talk/contracts";
import type { Logger, Metrics } from "@talk/kit";
import { type EventHandler, type Subscription, deadLetterQueue, isDeadLetterQueue } from "../bus";
import { type DeadLetter, RetryBudget, dispatchEvent } from "../event-dispatch";
import { entryBody } from "../stream-delivery";
import { DEFAULTS, type RetryOptions } from "../options";
import { errorMessage, sleep, type InFlight } from "../util";
import type { AmqpConnection, Channels } from "./connection";
import { ConsumerSet, declare, settle, type ConsumerSpec } from "./consumers";
import type { DurableQueues } from "./durable-queues";
import type { Names } from "./names";
import { requestIdHeaders } from "./properties";

/** What amqplib fails a publish with when the broker nacked it. */
const NACKED = "message nacked";

export async function declareExchange(channels: Channels, names: Names): Promise<void> {
  await declare(channels, async (channel) => {
    for (const exchange of names.exchanges)
      await channel.assertExchange(exchange, "topic", { durable: true });
  });
}

export class EventPublisher {
  constructor(
    private readonly connection: AmqpConnection,
    private readonly names: Names,
    private readonly logger: Logger,
    private readonly metrics: Metrics | undefined,
    private readonly service: string,
    private readonly publishTimeoutMs: number,
  ) {}

  async publish(event: ExchangeMessage, exchange: ExchangeName = "events"): Promise<void> {
    await this.confirmed(
      this.names.exchange(exchange),
      routingKey(event),
      Buffer.from(JSON.stringify(event)),
      {
        messageId: event.id,
        type: event.type,
        headers: requestIdHeaders(event.request_id),
      },
    );
    this.metrics?.eventsPublished.inc({ type: event.type });
  }

  /** Appends events to a stream as one entry (through the `streams` exchange, keyed by its name). */
  async append(stream: string, events: readonly EventEnvelope[]): Promise<void> {
    if (events.length === 0) return;
    const queue = this.names.queue(stream);
    await this.confirmed(this.names.exchange("streams"), queue, Buffer.from(entryBody(events)), {
      messageId: events[0].id,
      type: "talk.events",
      headers: requestIdHeaders(events[0].request_id),
    });
  }

  /** Puts a failed event on a dead-letter queue (through the default exchange), with why. */
  async deadLetter(queue: string, body: Buffer, dead: DeadLetter, from: string): Promise<void> {
    await this.confirmed("", queue, body, {
      messageId: dead.event.id,
      type: dead.event.type,
      headers: {
        ...requestIdHeaders(dead.event.request_id),
        "x-talk-queue": from,
        "x-talk-attempts": dead.attempts,
        "x-talk-error": dead.error.slice(0, 1000),
      },
    });
  }

  /** Publishes until the broker confirms, across reconnections, until the publish timeout. */
  private async confirmed(
    exchange: string,
    key: string,
    body: Buffer,
    properties: { messageId: string; type: string; headers: Record<string, unknown> | undefined },
  ): Promise<void> {
    const deadline = Date.now() + this.publishTimeoutMs;
    const timedOut = () =>
      unavailable(
        "EVENT_PUBLISH_TIMEOUT",
        `The message broker did not accept the event within ${this.publishTimeoutMs} ms.`,
      );
    for (let attempt = 1; ; attempt++) {
      const channels = await this.connection.whenReady(
        deadline,
        "EVENT_PUBLISH_TIMEOUT",
        `The message broker did not accept the event within ${this.publishTimeoutMs} ms.`,
      );
      try {
        await this.confirmedOnce(channels, exchange, key, body, properties, deadline);
        return;
      } catch (err) {
        if (Date.now() >= deadline) throw timedOut();
        this.logger.warn(
          { eventId: properties.messageId, attempt, err: errorMessage(err) },
          "Event publish not confirmed; retrying",
        );
        if (err instanceof Error && err.message === NACKED)
          await this.connection
            .renewPublishChannel(channels)
            .catch((renewal: unknown) =>
              this.logger.warn({ err: errorMessage(renewal) }, "Could not open a new publish channel"),
            );
        await sleep(Math.min(100 * attempt, 1000));
      }
    }
  }

  private confirmedOnce(
    channels: Channels,
    exchange: string,
    key: string,
    body: Buffer,
    properties: { messageId: string; type: string; headers: Record<string, unknown> | undefined },
    deadline: number,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("no publisher confirm in time")),
        Math.max(1, deadline - Date.now()),
      );
      const done = (err: unknown) => {
        clearTimeout(timer);
        if (err) reject(err instanceof Error ? err : new Error("the broker refused the event"));
        else resolve();
      };
      try {
        channels.publish.publish(
          exchange,
          key,
          body,
          {
            persistent: true,
            contentType: "application/json",
            timestamp: Math.floor(Date.now() / 1000),
            appId: this.service,
            ...properties,
          },
          done,
        );
      } catch (err) {
        done(err ?? new Error("publish failed"));
      }
    });
  }
}

export interface Registration {
  subscription: Subscription;
  spec: ConsumerSpec;
  /** False for a declaration only (the queue and its bindings, no consumer). */
  consume: boolean;
}

export class EventSubscriber {
  private readonly registrations: Registration[] = [];

  constructor(
    private readonly connection: AmqpConnection,
    private readonly names: Names,
    private readonly queues: DurableQueues,
    private readonly consumers: ConsumerSet,
    private readonly inFlight: InFlight,
    private readonly logger: Logger,
    private readonly metrics: Metrics | undefined,
    private readonly publisher: EventPublisher,
    private readonly retry: RetryOptions,
  ) {}

  /** Records a subscription (set up on every connection by `setup`, or at once by `start`). */
  add(subscription: Subscription, handler: EventHandler<ExchangeMessage> | undefined): Registration {
    const options = {
      exchange: subscription.exchange,
      logger: this.logger,
      metrics: this.metrics,
      queue: subscription.queue,
      budget: new RetryBudget(
        subscription.maxDeliveries ?? this.retry.maxDeliveries,
        this.retry.baseDelayMs,
        this.retry.maxDelayMs,
      ),
    };
    const queue = this.names.queue(subscription.queue);
    const spec: ConsumerSpec = {
      queue,
      prefetch: subscription.prefetch ?? DEFAULTS.subscriptionPrefetch,
      onMessage: (message: ConsumeMessage, channel: Channel) =>
        void this.inFlight.run(async () => {
          if (!handler) return;
          const outcome = await dispatchEvent(
            message.content.toString("utf8"),
            message.fields.redelivered,
            handler,
            options,
          );
          if (typeof outcome === "string") return settle(channel, message, outcome);
          try {
            const dead = outcome.deadLetter;
            await this.publisher.deadLetter(
              deadLetterQueue(queue),
              message.content,
              dead,
              subscription.queue,
            );
            this.metrics?.eventsDeadLettered.inc({ queue: subscription.queue, type: dead.event.type });
            settle(channel, message, "ack");
          } catch (err) {
            this.logger.error(
              { queue: subscription.queue, err },
              "Could not dead-letter an event; it goes back on its queue",
            );
            settle(channel, message, "requeue");
          }
        }),
      onCancel: () => this.connection.reset(`the broker cancelled the consumer of ${subscription.queue}`),
    };
    const registration = { subscription, spec, consume: handler !== undefined };
    this.registrations.push(registration);
    return registration;
  }

  remove(registration: Registration): void {
    const index = this.registrations.indexOf(registration);
    if (index >= 0) this.registrations.splice(index, 1);
  }

  async setup(channels: Channels, consuming: boolean): Promise<void> {
    for (const registration of this.registrations) await this.start(channels, registration, consuming);
  }

  async start(
    channels: Channels,
    { subscription, spec, consume }: Registration,
    consuming: boolean,
  ): Promise<void> {
    await this.queues.assert(channels, spec.queue, {
      singleActiveConsumer: subscription.singleActiveConsumer,
    });
    await declare(channels, async (channel) => {
      for (const pattern of subscription.bindings)
        await channel.bindQueue(spec.queue, this.names.exchange(subscription.exchange), pattern);
    });
    if (!isDeadLetterQueue(spec.queue)) await this.queues.assert(channels, deadLetterQueue(spec.queue));
    if (consuming && consume) await this.consumers.ensure(channels, spec);
  }
}
