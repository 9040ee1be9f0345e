/**
 * The in-process bus (embedded mode and tests), with the AMQP bus's semantics: payloads cross it
 * as JSON text (no shared references), RPC has timeouts and errors as data, queues have competing
 * consumers, topic bindings use `*`/`#`, failed events come back redelivered after a pause, and
 * durable subscription queues keep receiving while nobody consumes them.
 *
 * Services living in one process share one `MemoryBroker`, each with its own `MemoryBus`.
 */
import { randomUUID } from "node:crypto";
import {
  AppError,
  assertValid,
  exchangeMessageSchemas,
  routingKey,
  rpcOperations,
  unavailable,
  type EventEnvelope,
  type ExchangeMessage,
  type PublishedExchange,
  type RpcOperation,
  type Signal,
} from "@talk/contracts";
import { silentLogger, type Logger, type Metrics } from "@talk/kit";
import type {
  Bus,
  CallOptions,
  EventHandler,
  PublishOptions,
  SignalHandler,
  SignalListener,
  StreamHandler,
  StreamReadOptions,
  StreamReader,
  StreamSpec,
  Subscription,
} from "../bus";
import { deadLetterQueue, isDeadLetterQueue } from "../bus";
import { RetryBudget, dispatchEvent } from "../event-dispatch";
import { DEFAULTS, type CommonBusOptions, type RetryOptions, retryOptions } from "../options";
import { RpcDispatcher, type AnyRpcHandler } from "../rpc-dispatch";
import { callSpan } from "../tracing";
import { decodeReply, encodeReply, unwrapReply } from "../rpc-reply";
import { InFlight } from "../util";
import { MemoryBroker, type MemorySignalListener } from "./broker";
import { dispatchSignal, encodeSignal } from "../signal-dispatch";
import type { MemoryMessage, Settlement } from "./queue";
import { MemoryStreamReader } from "./stream-reader";
import { entriesOf, entryBody } from "../stream-delivery";

export interface MemoryBusOptions extends Partial<CommonBusOptions> {
  /** The broker shared with the other buses of this process (a private one by default). */
  broker?: MemoryBroker;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class MemoryBus implements Bus {
  readonly broker: MemoryBroker;
  private readonly logger: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly rpcTimeoutMs: number;
  private readonly prefetch: number;
  private readonly redeliveryDelayMs: number;
  private readonly retry: RetryOptions;
  private readonly dispatcher: RpcDispatcher;
  private readonly replyAddress = `memory.reply.${randomUUID()}`;
  private readonly pending = new Map<string, PendingCall>();
  private readonly consumers: { queue: string; tag: string }[] = [];
  private readonly rpcQueuesConsumed = new Set<string>();
  private readonly inFlight = new InFlight();
  private readonly streamReaders = new Set<StreamReader>();
  private readonly signalListeners = new Set<MemorySignalListener>();
  private consuming = true;
  private closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.broker = options.broker ?? new MemoryBroker();
    this.logger = (options.logger ?? silentLogger).child({ component: "bus", bus: "memory" });
    this.metrics = options.metrics;
    this.rpcTimeoutMs = options.rpcTimeoutMs ?? DEFAULTS.rpcTimeoutMs;
    this.prefetch = options.prefetch ?? DEFAULTS.prefetch;
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? DEFAULTS.redeliveryDelayMs;
    this.retry = retryOptions(options);
    this.dispatcher = new RpcDispatcher(this.logger, this.metrics, options.validateResponses ?? true);
    this.broker.registerReplyTarget(this.replyAddress, (message: MemoryMessage) => this.onReply(message));
  }

  // `call` and `handle` are typed through `Bus` itself: comparing the generic signatures of a class
  // with those of the interface makes TypeScript expand every schema type of the operations table.
  readonly call = ((operation: RpcOperation, request: unknown, options?: CallOptions) =>
    this.callAny(operation, request, options)) as Bus["call"];
  readonly handle = ((operation: RpcOperation, handler: AnyRpcHandler) =>
    this.handleAny(operation, handler)) as Bus["handle"];

  private async callAny(
    operation: RpcOperation,
    request: unknown,
    options: CallOptions = {},
  ): Promise<unknown> {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    const timeoutMs = options.timeoutMs ?? this.rpcTimeoutMs;
    const correlationId = randomUUID();
    const started = process.hrtime.bigint();
    const outcome = (status: string) =>
      this.metrics?.rpcClientDuration.observe(
        { operation, outcome: status },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(unavailable("RPC_TIMEOUT", `The ${operation} service did not answer within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.pending.set(correlationId, { resolve, reject, timer });
    });
    return callSpan(operation, async (trace) => {
      const sent = this.broker.sendToQueue(rpcOperations[operation].queue, {
        body: JSON.stringify(request),
        routingKey: rpcOperations[operation].queue,
        type: operation,
        correlationId,
        replyTo: this.replyAddress,
        requestId: options.requestId,
        trace,
        expiresAt: Date.now() + timeoutMs,
        redelivered: false,
      });
      if (!sent)
        this.failPending(correlationId, unavailable("RPC_NO_SERVER", `No service serves ${operation}.`));
      try {
        const result = await reply;
        outcome("ok");
        return result;
      } catch (err) {
        outcome(err instanceof AppError ? err.status : "INTERNAL");
        throw err;
      }
    });
  }

  private async handleAny(operation: RpcOperation, handler: AnyRpcHandler): Promise<void> {
    if (!this.dispatcher.register(operation, handler))
      throw new Error(`${operation} already has a handler on this bus`);
    const queueName = rpcOperations[operation].queue;
    this.broker.declareQueue(queueName);
    if (!this.consuming || this.closed || this.rpcQueuesConsumed.has(queueName)) return;
    this.rpcQueuesConsumed.add(queueName);
    this.startConsumer(queueName, this.prefetch, (message, settle) =>
      this.onRequest(queueName, message, settle),
    );
  }

  async publish<X extends PublishedExchange = "events">(
    event: ExchangeMessage<X>,
    options: PublishOptions<X> = {},
  ): Promise<void> {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    assertValid(exchangeMessageSchemas[options.exchange ?? "events"], event, "event");
    this.broker.publish(
      {
        body: JSON.stringify(event),
        routingKey: routingKey(event),
        type: event.type,
        messageId: event.id,
        requestId: event.request_id,
        redelivered: false,
      },
      options.exchange,
    );
    this.metrics?.eventsPublished.inc({ type: event.type });
  }

  async declare(subscription: Subscription): Promise<void> {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    this.broker.declareQueue(subscription.queue);
    for (const pattern of subscription.bindings)
      this.broker.bind(subscription.queue, pattern, subscription.exchange);
    if (!isDeadLetterQueue(subscription.queue)) this.broker.declareQueue(deadLetterQueue(subscription.queue));
  }

  async subscribe<X extends PublishedExchange = "events">(
    subscription: Subscription<X>,
    handler: EventHandler<ExchangeMessage<X>>,
  ): Promise<void> {
    await this.declare(subscription);
    if (!this.consuming) return;
    // Deliveries are checked against the schema of the subscription's exchange before the handler runs.
    const deliver = handler as EventHandler<ExchangeMessage>;
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
    this.startConsumer(
      subscription.queue,
      subscription.prefetch ?? DEFAULTS.subscriptionPrefetch,
      (message, settle) => {
        void this.inFlight.run(async () => {
          const result = await dispatchEvent(message.body, message.redelivered, deliver, options);
          if (typeof result === "object") {
            this.broker
              .declareQueue(deadLetterQueue(subscription.queue))
              .enqueue({ ...message, redelivered: false });
            this.metrics?.eventsDeadLettered.inc({
              queue: subscription.queue,
              type: result.deadLetter.event.type,
            });
            settle.ack();
          } else if (result === "ack") settle.ack();
          else settle.nack(result === "requeue");
        });
      },
    );
  }

  async declareStream(spec: StreamSpec): Promise<void> {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    this.broker.declareStream(spec.name, {
      maxAgeMs: spec.maxAgeSeconds ? spec.maxAgeSeconds * 1000 : undefined,
      maxBytes: spec.maxBytes || undefined,
    });
    for (const pattern of spec.bindings) this.broker.bind(spec.name, pattern, spec.exchange);
    for (const pattern of spec.unbind ?? []) this.broker.unbind(spec.name, pattern, spec.exchange);
  }

  async appendToStream(stream: string, events: readonly EventEnvelope[]): Promise<void> {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    const entries = entriesOf(events);
    const log = this.broker.stream(stream);
    if (!log) return; // nobody declared it: nothing keeps the events (as with RabbitMQ)
    for (const entry of entries) log.append(entryBody(entry));
  }

  async readStream(
    spec: StreamSpec,
    options: StreamReadOptions,
    handler: StreamHandler,
  ): Promise<StreamReader> {
    await this.declareStream(spec);
    const log = this.broker.declareStream(spec.name, {});
    const reader = new MemoryStreamReader(log, options.from, handler, this.logger, this.redeliveryDelayMs);
    const readers = this.streamReaders;
    const handle: StreamReader = {
      async stop() {
        readers.delete(handle);
        await reader.stop();
      },
    };
    readers.add(handle);
    if (this.consuming) reader.start();
    return handle;
  }

  signal(signal: Signal): void {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    const { key, body } = encodeSignal(signal);
    this.broker.signal(key, body);
  }

  async listen(bindings: readonly string[], handler: SignalHandler): Promise<SignalListener> {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    const logger = this.logger;
    const listener: MemorySignalListener = {
      bindings: [...bindings],
      deliver: (body) => dispatchSignal(body, handler, logger),
    };
    this.signalListeners.add(listener);
    if (this.consuming) this.broker.addSignalListener(listener);
    const { broker, signalListeners } = this;
    return {
      async stop() {
        signalListeners.delete(listener);
        broker.removeSignalListener(listener);
      },
    };
  }

  async stopConsuming(): Promise<void> {
    this.consuming = false;
    for (const listener of this.signalListeners) this.broker.removeSignalListener(listener);
    await Promise.all([...this.streamReaders].map((reader) => reader.stop()));
    for (const { queue, tag } of this.consumers.splice(0)) this.broker.queue(queue)?.cancel(tag);
    await this.inFlight.idle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.stopConsuming();
    this.closed = true;
    this.broker.unregisterReplyTarget(this.replyAddress);
    for (const id of [...this.pending.keys()])
      this.failPending(id, unavailable("BUS_CLOSED", "The message bus was closed."));
  }

  isReady(): boolean {
    return !this.closed;
  }

  private startConsumer(
    queueName: string,
    prefetch: number,
    deliver: (message: MemoryMessage, settle: Settlement) => void,
  ): void {
    const tag = randomUUID();
    this.consumers.push({ queue: queueName, tag });
    this.broker.declareQueue(queueName).consume(tag, prefetch, deliver);
  }

  private onRequest(queueName: string, message: MemoryMessage, settle: Settlement): void {
    void this.inFlight.run(async () => {
      const outcome = await this.dispatcher.dispatch({
        queue: queueName,
        operation: message.type,
        body: message.body,
        requestId: message.requestId,
        trace: message.trace,
      });
      if ("requeue" in outcome) return settle.nack(true);
      if (message.replyTo) {
        this.broker.reply(message.replyTo, {
          body: encodeReply(outcome.reply),
          routingKey: message.replyTo,
          correlationId: message.correlationId,
          redelivered: false,
        });
      }
      settle.ack();
    });
  }

  private onReply(message: MemoryMessage): void {
    const id = message.correlationId;
    const call = id ? this.pending.get(id) : undefined;
    if (!id || !call) return; // late reply to a call that timed out
    this.pending.delete(id);
    clearTimeout(call.timer);
    try {
      call.resolve(unwrapReply(decodeReply(message.body)));
    } catch (err) {
      call.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private failPending(id: string, error: AppError): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    clearTimeout(call.timer);
    call.reject(error);
  }
}
