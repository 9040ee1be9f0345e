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
 *   a handler that throws gets the event redelivered.
 */
import type { EventEnvelope, ExchangeName, RpcOperation, RpcRequest, RpcResponse } from "@talk/contracts";

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

export type EventHandler = (event: EventEnvelope, context: DeliveryContext) => Promise<void>;

export interface Subscription {
  /** Durable queue name, shared by all replicas of the subscribing service. */
  queue: string;
  /** Routing-key patterns on the events exchange (`#` and `*` wildcards). */
  bindings: readonly string[];
  /** How many unacknowledged events a consumer holds at once (default 32). */
  prefetch?: number;
  /** The exchange the bindings are on (default `events`). */
  exchange?: ExchangeName;
  /** Only one consumer at a time, across replicas, so events are handled strictly in queue order. */
  singleActiveConsumer?: boolean;
}

export interface PublishOptions {
  /** The exchange to publish to (default `events`). */
  exchange?: ExchangeName;
}

export interface Bus {
  call<Op extends RpcOperation>(
    operation: Op,
    request: RpcRequest<Op>,
    options?: CallOptions,
  ): Promise<RpcResponse<Op>>;
  /** Serves an operation. The request is validated against its schema before the handler runs. */
  handle<Op extends RpcOperation>(operation: Op, handler: RpcHandler<Op>): Promise<void>;
  /** Resolves once the event is durably accepted (publisher confirm). */
  publish(event: EventEnvelope, options?: PublishOptions): Promise<void>;
  /** Declares a subscription's durable queue and bindings without consuming (e.g. by its publisher). */
  declare(subscription: Subscription): Promise<void>;
  subscribe(subscription: Subscription, handler: EventHandler): Promise<void>;
  /** Stops consuming (RPC and events); in-flight handlers finish. */
  stopConsuming(): Promise<void>;
  close(): Promise<void>;
  /** True while the bus can reach its broker. */
  isReady(): boolean;
}
