/**
 * The embedded system's bus when RABBITMQ_URL is set: everything stays in process (the in-memory
 * bus), and each public event is also published to the broker's `talk.events` exchange, so that
 * services outside the process consume it exactly as from the distributed stack (e.g. with
 * @talk/consumer). Both publishes are issued together, in the relay's order, and a publish
 * resolves only once the broker confirmed it too: the outbox keeps an event until then, so none is
 * lost while the broker is away (the events wait, as in the distributed stack). Signals (presence,
 * typing) stay in the process.
 */
import type {
  AmqpBus,
  Bus,
  CallOptions,
  EventHandler,
  MemoryBus,
  PublishOptions,
  RpcHandler,
  SignalHandler,
  SignalListener,
  StreamHandler,
  StreamReadOptions,
  StreamReader,
  StreamSpec,
  Subscription,
} from "@talk/bus";
import type {
  EventEnvelope,
  ExchangeMessage,
  PublishedExchange,
  RpcOperation,
  RpcRequest,
  RpcResponse,
  Signal,
} from "@talk/contracts";

export class EventsToBroker implements Bus {
  constructor(
    private readonly memory: MemoryBus,
    private readonly broker: AmqpBus,
  ) {}

  async publish<X extends PublishedExchange = "events">(
    event: ExchangeMessage<X>,
    options?: PublishOptions<X>,
  ): Promise<void> {
    if ((options?.exchange ?? "events") !== "events") return this.memory.publish(event, options);
    await Promise.all([this.broker.publish(event as EventEnvelope), this.memory.publish(event, options)]);
  }

  call<Op extends RpcOperation>(
    operation: Op,
    request: RpcRequest<Op>,
    options?: CallOptions,
  ): Promise<RpcResponse<Op>> {
    return this.memory.call(operation, request, options);
  }
  handle<Op extends RpcOperation>(operation: Op, handler: RpcHandler<Op>): Promise<void> {
    return this.memory.handle(operation, handler);
  }
  declare(subscription: Subscription): Promise<void> {
    return this.memory.declare(subscription);
  }
  subscribe<X extends PublishedExchange = "events">(
    subscription: Subscription<X>,
    handler: EventHandler<ExchangeMessage<X>>,
  ): Promise<void> {
    return this.memory.subscribe(subscription, handler);
  }
  declareStream(spec: StreamSpec): Promise<void> {
    return this.memory.declareStream(spec);
  }
  appendToStream(stream: string, events: readonly EventEnvelope[]): Promise<void> {
    return this.memory.appendToStream(stream, events);
  }
  readStream(spec: StreamSpec, options: StreamReadOptions, handler: StreamHandler): Promise<StreamReader> {
    return this.memory.readStream(spec, options, handler);
  }
  signal(signal: Signal): void {
    this.memory.signal(signal);
  }
  listen(bindings: readonly string[], handler: SignalHandler): Promise<SignalListener> {
    return this.memory.listen(bindings, handler);
  }
  stopConsuming(): Promise<void> {
    return this.memory.stopConsuming();
  }
  async close(): Promise<void> {
    await this.memory.close();
    await this.broker.close();
  }
  isReady(): boolean {
    return this.memory.isReady() && this.broker.isReady();
  }
}
