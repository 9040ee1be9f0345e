/**
 * The message bus every service depends on. Two implementations share these semantics and one
 * test suite: `AmqpBus` (RabbitMQ through amqplib) and `MemoryBus` (in-process, for embedded mode).
 *
 * - `call`/`handle`: request/reply RPC. Errors travel as data (`ErrorBody`) and are re-thrown on the
 *   caller's side as `AppError`. A call that gets no reply in time fails with UNAVAILABLE.
 *   Handlers ack the request only after the reply is sent; a malformed request gets an error reply.
 * - `publish`/`subscribe`: events on the durable topic exchange, with publisher confirms: `publish`
 *   resolves only once the broker has taken responsibility for the event. Subscriptions are durable
 *   queues bound by routing-key patterns, shared by the replicas of a service (competing consumers);
 *   a handler that throws gets the event redelivered, after a pause that doubles with each failure;
 *   after `maxDeliveries` failed attempts the event moves to the queue's dead-letter queue
 *   (`deadLetterQueue(queue)`, durable, not consumed by the service) and the queue goes on, so one
 *   poison event cannot stop a queue (chat changes have one consumer, in order) forever.
 * - `declareStream`/`readStream`: a durable, append-only log of events (a RabbitMQ stream queue; a
 *   bounded in-memory log in MemoryBus), fed by its bindings (one event per entry) and by
 *   `appendToStream` (many events in one entry: one broker write and one delivery for a batch).
 *   Reading never removes anything: any number of readers each read from where they choose (the
 *   first retained entry, the next new one, or a position) in order, one event at a time. Every
 *   event has its own position: its entry's offset × `POSITIONS_PER_ENTRY` + its index in the
 *   entry; positions increase but are not contiguous. Retention drops the oldest entries by age or
 *   size; a reader asking for a position older than the first retained entry starts at the first
 *   retained entry, so it can tell that something was dropped by comparing positions.
 * - `signal`/`listen`: transient signals (presence, typing) on the `talk.signals` topic exchange,
 *   fire and forget: no confirm, nothing persisted, no redelivery. Every listener bound when a
 *   signal is sent gets it once (fan-out: each listener has its own exclusive, auto-deleted queue,
 *   even listeners of the same service); a listener that did not exist yet, a broker that cannot
 *   be reached, or a listener that falls far behind loses it. Whoever relies on signals repeats
 *   the state that matters (heartbeats), so it converges again after a loss.
 */
import type {
  EventEnvelope,
  ExchangeMessage,
  ExchangeName,
  PublishedExchange,
  RpcOperation,
  RpcRequest,
  RpcResponse,
  Signal,
} from "@talk/contracts";

export interface CallOptions {
  /** Milliseconds to wait for the reply; defaults to the bus's `rpcTimeoutMs`. */
  timeoutMs?: number;
  /** Carried in message headers so logs correlate across services. */
  requestId?: string;
}

export interface CallContext {
  requestId?: string;
  operation: RpcOperation;
}

export type RpcHandler<Op extends RpcOperation> = (
  request: RpcRequest<Op>,
  context: CallContext,
) => Promise<RpcResponse<Op>>;

export interface DeliveryContext {
  /** True when the broker says this event may have been delivered before. */
  redelivered: boolean;
}

/** Handles what a subscription delivers: public events, or what its exchange carries. */
export type EventHandler<M extends ExchangeMessage = EventEnvelope> = (
  event: M,
  context: DeliveryContext,
) => Promise<void>;

export interface Subscription<X extends PublishedExchange = PublishedExchange> {
  /** Durable queue name, shared by all replicas of the subscribing service. */
  queue: string;
  /** Routing-key patterns on the events exchange (`#` and `*` wildcards). */
  bindings: readonly string[];
  /** How many unacknowledged events a consumer holds at once (default 32). */
  prefetch?: number;
  /** The exchange the bindings are on (default `events`); its messages are what the handler gets. */
  exchange?: X;
  /** Only one consumer at a time, across replicas, so events are handled strictly in queue order. */
  singleActiveConsumer?: boolean;
  /** Attempts an event gets before it is dead-lettered (default: the bus's `maxDeliveries`). */
  maxDeliveries?: number;
}

/**
 * Thrown by an event handler for an event that cannot be applied yet (it arrived before one it
 * depends on): it comes back after the base pause, without using up its retry budget, since
 * waiting is all it needs. (A handler failing for any other reason uses up the budget.)
 */
export class EventNotReady extends Error {
  readonly notReady = true;
}

/** Whether a handler's error says "not yet" (by the flag, so that subclasses anywhere count). */
export function isNotReady(error: unknown): boolean {
  return error instanceof Error && (error as { notReady?: unknown }).notReady === true;
}

/** Where a subscription's events go once their handler failed every attempt: kept, not consumed. */
export function deadLetterQueue(queue: string): string {
  return `${queue}${DEAD_LETTER_SUFFIX}`;
}

const DEAD_LETTER_SUFFIX = ".dead-letter";

/** A dead-letter queue has none of its own. */
export function isDeadLetterQueue(queue: string): boolean {
  return queue.endsWith(DEAD_LETTER_SUFFIX);
}

export interface PublishOptions<X extends PublishedExchange = PublishedExchange> {
  /** The exchange to publish to (default `events`); the message must be one of its messages. */
  exchange?: X;
}

/** A durable log of events (a RabbitMQ stream queue), bound to an exchange like a subscription. */
export interface StreamSpec {
  /** Stream (queue) name. */
  name: string;
  /** Routing-key patterns on the exchange (`#` and `*` wildcards); none for a stream fed by `appendToStream`. */
  bindings: readonly string[];
  /** Bindings to remove when declaring (left by an earlier version of the spec). */
  unbind?: readonly string[];
  /** The exchange the bindings are on (default `events`). */
  exchange?: ExchangeName;
  /** Entries older than this are dropped (RabbitMQ: whole segments once all their entries are older). */
  maxAgeSeconds?: number;
  /** The log is kept under this many bytes by dropping its oldest entries (0 or absent: no bound). */
  maxBytes?: number;
  /** RabbitMQ segment size, the granularity of retention (default the broker's, 500 MB). */
  segmentBytes?: number;
}

/** Where a reader starts: the first retained event, the next one appended, or a position. */
export type StreamStart = "first" | "next" | { offset: number };

/** One event of a stream, with its position. */
export interface StreamEntry {
  /** The event's position: its entry's offset × POSITIONS_PER_ENTRY + its index in the entry. */
  offset: number;
  event: EventEnvelope;
  /** When the entry was published (epoch milliseconds; whole seconds over AMQP). */
  timestamp: number;
}

/** Called once per entry, in offset order; the next entry waits for it. Throwing retries the entry. */
export type StreamHandler = (entry: StreamEntry) => Promise<void> | void;

export interface StreamReadOptions {
  from: StreamStart;
  /** Entries fetched ahead of the handler (default 256). */
  prefetch?: number;
}

export interface StreamReader {
  /** Stops reading; resolves once the handler call in progress (if any) is over. */
  stop(): Promise<void>;
}

/** Called once per signal; what it throws is logged, never retried. */
export type SignalHandler = (signal: Signal) => void;

export interface SignalListener {
  /** Stops the deliveries to this listener (its queue goes away). */
  stop(): Promise<void>;
}

export interface Bus {
  call<Op extends RpcOperation>(
    operation: Op,
    request: RpcRequest<Op>,
    options?: CallOptions,
  ): Promise<RpcResponse<Op>>;
  /** Serves an operation. The request is validated against its schema before the handler runs. */
  handle<Op extends RpcOperation>(operation: Op, handler: RpcHandler<Op>): Promise<void>;
  /**
   * Resolves once the message is durably accepted (publisher confirm). It is checked against the
   * schema of its exchange's messages (`exchangeMessageSchemas`).
   */
  publish<X extends PublishedExchange = "events">(
    event: ExchangeMessage<X>,
    options?: PublishOptions<X>,
  ): Promise<void>;
  /** Declares a subscription's durable queue and bindings without consuming (e.g. by its publisher). */
  declare(subscription: Subscription): Promise<void>;
  subscribe<X extends PublishedExchange = "events">(
    subscription: Subscription<X>,
    handler: EventHandler<ExchangeMessage<X>>,
  ): Promise<void>;
  /** Declares a stream and binds it (idempotent; a stream declared with other retention is kept as is). */
  declareStream(spec: StreamSpec): Promise<void>;
  /**
   * Appends events to a stream as one entry (several past POSITIONS_PER_ENTRY events), in order;
   * resolves once the broker has them. A stream nobody declared takes nothing (like an exchange
   * without bindings): its readers declare it, with its retention.
   */
  appendToStream(stream: string, events: readonly EventEnvelope[]): Promise<void>;
  /** Declares the stream and reads it from `options.from`; events reach `handler` one at a time. */
  readStream(spec: StreamSpec, options: StreamReadOptions, handler: StreamHandler): Promise<StreamReader>;
  /**
   * Sends a transient signal to every listener bound to its routing key (`signalKey`) right now;
   * returns at once. Dropped while the broker cannot be reached. Throws on an invalid signal.
   */
  signal(signal: Signal): void;
  /** Listens to the signals whose routing keys match `bindings` (`#` and `*`), from now on. */
  listen(bindings: readonly string[], handler: SignalHandler): Promise<SignalListener>;
  /** Stops consuming (RPC, events, streams and signals); in-flight handlers finish. */
  stopConsuming(): Promise<void>;
  close(): Promise<void>;
  /** True while the bus can reach its broker. */
  isReady(): boolean;
}
