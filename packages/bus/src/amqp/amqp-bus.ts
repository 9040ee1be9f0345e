/**
 * The message bus over RabbitMQ (amqplib). One connection per bus; it reconnects by itself and
 * re-creates its topology, handlers and subscriptions. See `bus.ts` for the semantics and
 * `connection.ts`, `rpc-client.ts`, `rpc-server.ts`, `events.ts` for how each part maps to AMQP.
 */
import {
  assertValid,
  exchangeMessageSchemas,
  rpcOperations,
  unavailable,
  type EventEnvelope,
  type ExchangeMessage,
  type PublishedExchange,
  type RpcOperation,
  type Signal,
} from "@talk/contracts";
import { silentLogger, type Logger } from "@talk/kit";
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
import { DEFAULTS, type CommonBusOptions, retryOptions } from "../options";
import { RpcDispatcher, type AnyRpcHandler } from "../rpc-dispatch";
import { InFlight, SerialQueue } from "../util";
import { AmqpConnection, type Channels } from "./connection";
import { ConsumerSet } from "./consumers";
import { DurableQueues } from "./durable-queues";
import { Names } from "./names";
import { DEFAULT_QUEUE_SETTINGS, type QueueSettings } from "./queue-types";
import { EventPublisher, EventSubscriber, declareExchange, type Registration } from "./events";
import { RpcClient } from "./rpc-client";
import { RpcServer } from "./rpc-server";
import { AmqpSignals } from "./signals";
import { AmqpStreamReader, StreamTopology } from "./streams";
import { entriesOf } from "../stream-delivery";

export interface AmqpBusOptions extends CommonBusOptions {
  /**
   * amqp://user:pass@host:port/vhost, or the same for every node of a cluster (see `brokerUrls`):
   * each (re)connection tries them in turn.
   */
  url: string | readonly string[];
  /** Type and replication of the durable queues and streams (default: quorum, 3 replicas). */
  queues?: Partial<QueueSettings>;
  /** How long `connect` keeps trying to reach the broker before it fails (default 30 s). */
  connectTimeoutMs?: number;
  /** How long `publish` waits for the broker (reconnection included) before it fails (default 10 s). */
  publishTimeoutMs?: number;
  /** AMQP heartbeat in seconds (default 10). */
  heartbeatSeconds?: number;
  /** Prefix of every queue and exchange name, to isolate systems sharing one broker (default none). */
  namespace?: string;
}

export class AmqpBus implements Bus {
  private readonly logger: Logger;
  private readonly names: Names;
  private readonly connection: AmqpConnection;
  private readonly dispatcher: RpcDispatcher;
  private readonly consumers = new ConsumerSet();
  private readonly inFlight = new InFlight();
  /** Topology and consumer changes run one at a time (connection setup included). */
  private readonly serial = new SerialQueue();
  private readonly client: RpcClient;
  private readonly server: RpcServer;
  private readonly publisher: EventPublisher;
  private readonly subscriber: EventSubscriber;
  private readonly streams: StreamTopology;
  private readonly signals: AmqpSignals;
  private readonly streamReaders = new Set<AmqpStreamReader>();
  private readonly redeliveryDelayMs: number;
  private consuming = true;
  private closed = false;

  private constructor(options: AmqpBusOptions) {
    this.logger = (options.logger ?? silentLogger).child({ component: "bus", bus: "amqp" });
    const { metrics } = options;
    this.names = new Names(options.namespace);
    this.connection = new AmqpConnection({
      urls: typeof options.url === "string" ? [options.url] : options.url,
      service: options.service,
      logger: this.logger,
      heartbeatSeconds: options.heartbeatSeconds,
    });
    this.dispatcher = new RpcDispatcher(
      this.logger.child({ part: "rpc-server" }),
      metrics,
      options.validateResponses ?? true,
    );
    this.client = new RpcClient(
      this.connection,
      this.names,
      this.logger.child({ part: "rpc-client" }),
      metrics,
      options.rpcTimeoutMs ?? DEFAULTS.rpcTimeoutMs,
    );
    const settings = { ...DEFAULT_QUEUE_SETTINGS, ...options.queues };
    const queues = new DurableQueues(settings, this.logger.child({ part: "queues" }));
    this.server = new RpcServer(
      this.connection,
      this.names,
      queues,
      this.dispatcher,
      this.consumers,
      this.inFlight,
      this.logger.child({ part: "rpc-server" }),
      options.prefetch ?? DEFAULTS.prefetch,
    );
    this.publisher = new EventPublisher(
      this.connection,
      this.names,
      this.logger.child({ part: "publisher" }),
      metrics,
      options.service,
      options.publishTimeoutMs ?? 10_000,
    );
    this.subscriber = new EventSubscriber(
      this.connection,
      this.names,
      queues,
      this.consumers,
      this.inFlight,
      this.logger.child({ part: "subscriber" }),
      metrics,
      this.publisher,
      retryOptions(options),
    );
    this.streams = new StreamTopology(this.names, settings, this.logger.child({ part: "streams" }));
    this.signals = new AmqpSignals(
      this.connection,
      this.names,
      this.logger.child({ part: "signals" }),
      (task) => this.serial.run(task),
    );
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? DEFAULTS.redeliveryDelayMs;
    // A setup whose connection went away stops holding the queue (an operation on a dead
    // connection may never settle, and the next connection's setup would wait behind it forever).
    this.connection.onConnected((channels) => this.serial.run(() => this.setupWhileAlive(channels)));
    this.connection.onLost((generation) => this.client.connectionLost(generation));
  }

  /** Connects (retrying until `connectTimeoutMs`), then stays connected until `close()`. */
  static async connect(options: AmqpBusOptions): Promise<AmqpBus> {
    const bus = new AmqpBus(options);
    try {
      await bus.connection.start(options.connectTimeoutMs ?? 30_000);
    } catch (err) {
      await bus.connection.close();
      throw err;
    }
    return bus;
  }

  // `call` and `handle` are typed through `Bus` itself: comparing the generic signatures of a class
  // with those of the interface makes TypeScript expand every schema type of the operations table.
  // The server validated the result of a call against the operation's response schema.
  readonly call = ((operation: RpcOperation, request: unknown, options?: CallOptions) =>
    this.callAny(operation, request, options)) as Bus["call"];
  readonly handle = ((operation: RpcOperation, handler: AnyRpcHandler) =>
    this.handleAny(operation, handler)) as Bus["handle"];

  private async callAny(operation: RpcOperation, request: unknown, options?: CallOptions): Promise<unknown> {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    return this.client.call(operation, request, options);
  }

  private async handleAny(operation: RpcOperation, handler: AnyRpcHandler): Promise<void> {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    if (!this.dispatcher.register(operation, handler))
      throw new Error(`${operation} already has a handler on this bus`);
    const queue = rpcOperations[operation].queue;
    await this.onLiveConnection(
      (channels) => this.server.serve(channels, queue, this.consuming),
      () => this.dispatcher.unregister(operation),
    );
  }

  async publish<X extends PublishedExchange = "events">(
    event: ExchangeMessage<X>,
    options: PublishOptions<X> = {},
  ): Promise<void> {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    assertValid(exchangeMessageSchemas[options.exchange ?? "events"], event, "event");
    await this.publisher.publish(event, options.exchange);
  }

  async appendToStream(stream: string, events: readonly EventEnvelope[]): Promise<void> {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    for (const entry of entriesOf(events)) await this.publisher.append(stream, entry);
  }

  async declare(subscription: Subscription): Promise<void> {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    const registration: Registration = this.subscriber.add(subscription, undefined);
    await this.onLiveConnection(
      (channels) => this.subscriber.start(channels, registration, false),
      () => this.subscriber.remove(registration),
    );
  }

  async subscribe<X extends PublishedExchange = "events">(
    subscription: Subscription<X>,
    handler: EventHandler<ExchangeMessage<X>>,
  ): Promise<void> {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    // Deliveries are checked against the schema of the subscription's exchange before the handler runs.
    const registration: Registration = this.subscriber.add(
      subscription,
      handler as EventHandler<ExchangeMessage>,
    );
    await this.onLiveConnection(
      (channels) => this.subscriber.start(channels, registration, this.consuming),
      () => this.subscriber.remove(registration),
    );
  }

  async declareStream(spec: StreamSpec): Promise<void> {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    this.streams.add(spec);
    await this.onLiveConnection(
      (channels) => this.streams.declare(channels, spec),
      () => this.streams.remove(spec),
    );
  }

  async readStream(
    spec: StreamSpec,
    options: StreamReadOptions,
    handler: StreamHandler,
  ): Promise<StreamReader> {
    await this.declareStream(spec);
    const reader = new AmqpStreamReader(
      this.connection,
      this.names.queue(spec.name),
      options.from,
      options.prefetch,
      handler,
      this.logger.child({ part: "stream-reader" }),
      this.redeliveryDelayMs,
      (stopped) => this.streamReaders.delete(stopped),
    );
    if (!this.consuming) return reader;
    this.streamReaders.add(reader);
    await this.onLiveConnection(
      (channels) => reader.attach(channels),
      () => this.streamReaders.delete(reader),
    );
    return reader;
  }

  signal(signal: Signal): void {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    this.signals.send(signal);
  }

  async listen(bindings: readonly string[], handler: SignalHandler): Promise<SignalListener> {
    if (this.closed) throw unavailable("BUS_CLOSED", "The message bus is closed.");
    return this.signals.listen(bindings, handler, this.consuming);
  }

  async stopConsuming(): Promise<void> {
    this.consuming = false;
    await this.signals.stopAll();
    await Promise.all([...this.streamReaders].map((reader) => reader.stop()));
    await this.serial.run(() => this.consumers.cancelAll(this.connection.channels));
    await this.inFlight.idle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.stopConsuming();
    this.closed = true;
    this.client.failAll(unavailable("BUS_CLOSED", "The message bus was closed."));
    await this.connection.close();
  }

  isReady(): boolean {
    return !this.closed && this.connection.ready;
  }

  /** `setup`, given up when its connection goes (said in the log if a step is still waiting 1 s later). */
  private async setupWhileAlive(channels: Channels): Promise<void> {
    let settled = false;
    const setup = this.setup(channels).finally(() => (settled = true));
    setup.catch(() => undefined);
    await Promise.race([
      setup,
      channels.gone.then(() => {
        setTimeout(() => {
          if (!settled)
            this.logger.warn(
              { generation: channels.generation, step: channels.setupStep },
              "A setup step still waits on a connection that closed; the next connection goes ahead",
            );
        }, 1000).unref();
        throw new Error("The connection closed during setup");
      }),
    ]);
  }

  /** Everything this bus needs on a new connection, in order. */
  private async setup(channels: Channels): Promise<void> {
    const step = (name: string) => (channels.setupStep = name);
    step("rpc replies");
    await this.client.setup(channels);
    step("exchanges");
    await declareExchange(channels, this.names);
    step("rpc queues");
    await this.server.setup(channels, this.consuming);
    step("subscriptions");
    await this.subscriber.setup(channels, this.consuming);
    step("streams");
    await this.streams.setup(channels);
    step("signals");
    await this.signals.setup(channels, this.consuming);
    step("stream readers");
    if (this.consuming) for (const reader of this.streamReaders) await reader.attach(channels);
    step("done");
  }

  /**
   * Applies a topology change on the live connection now, so that a refused declaration fails the
   * caller (and `undo`es the registration). Without a connection (or if it drops meanwhile) the
   * registration stays and is applied on the next connection.
   */
  private async onLiveConnection(
    apply: (channels: Channels) => Promise<void>,
    undo: () => void,
  ): Promise<void> {
    await this.serial.run(async () => {
      const channels = this.connection.channels;
      if (!channels) return;
      try {
        await apply(channels);
      } catch (err) {
        if (this.connection.channels?.generation !== channels.generation) {
          this.logger.debug(
            { err },
            "Connection lost while applying a registration; it will be applied on reconnection",
          );
          return;
        }
        undo();
        throw err;
      }
    });
  }
}
