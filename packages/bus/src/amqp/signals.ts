/**
 * Signals over RabbitMQ: the `talk.signals` topic exchange (durable, so bindings survive broker
 * restarts, but nothing on it is persistent), sent fire-and-forget on the plain `rpc` channel, and
 * one exclusive, auto-deleted, server-named queue per listener, bounded in length (the oldest
 * signals go first), consumed without acks and re-created on every connection.
 */
import { SIGNALS_EXCHANGE, type Signal } from "@talk/contracts";
import type { Logger } from "@talk/kit";
import type { SignalHandler, SignalListener } from "../bus";
import { dispatchSignal, encodeSignal } from "../signal-dispatch";
import type { AmqpConnection, Channels } from "./connection";
import { declare } from "./consumers";
import type { Names } from "./names";

/** A listener that falls this far behind loses its oldest signals. */
const MAX_QUEUED = 10_000;

class AmqpListener implements SignalListener {
  private consumer: { generation: number; tag: string } | undefined;
  stopped = false;

  constructor(
    private readonly signals: AmqpSignals,
    readonly bindings: readonly string[],
    private readonly handler: SignalHandler,
    private readonly logger: Logger,
  ) {}

  async attach(channels: Channels, exchange: string): Promise<void> {
    if (this.stopped || this.consumer?.generation === channels.generation) return;
    let queue = "";
    await declare(channels, async (channel) => {
      // exclusive to the connection, so declared on it (any channel) and gone with it
      ({ queue } = await channel.assertQueue("", {
        exclusive: true,
        autoDelete: true,
        durable: false,
        arguments: { "x-max-length": MAX_QUEUED, "x-overflow": "drop-head" },
      }));
      for (const pattern of this.bindings) await channel.bindQueue(queue, exchange, pattern);
    });
    const { consumerTag } = await channels.consume.consume(
      queue,
      (message) => {
        if (message) dispatchSignal(message.content.toString("utf8"), this.handler, this.logger);
      },
      { noAck: true, exclusive: true },
    );
    this.consumer = { generation: channels.generation, tag: consumerTag };
  }

  async detach(channels: Channels | undefined): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer && channels?.generation === consumer.generation)
      await channels.consume.cancel(consumer.tag).catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.signals.remove(this);
  }
}

export class AmqpSignals {
  private readonly listeners = new Set<AmqpListener>();
  private dropped = 0;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly names: Names,
    private readonly logger: Logger,
    private readonly run: <T>(task: () => Promise<T>) => Promise<T>,
  ) {}

  private get exchange(): string {
    return this.names.queue(SIGNALS_EXCHANGE);
  }

  send(signal: Signal): void {
    const { key, body } = encodeSignal(signal);
    const channels = this.connection.ready ? this.connection.channels : undefined;
    if (!channels) {
      if (this.dropped++ % 1000 === 0)
        this.logger.debug({ dropped: this.dropped }, "Dropping signals while the broker is unreachable");
      return;
    }
    try {
      channels.rpc.publish(this.exchange, key, Buffer.from(body), {
        persistent: false,
        contentType: "application/json",
        type: signal.type,
      });
    } catch (err) {
      this.logger.debug({ err }, "Could not send a signal");
    }
  }

  /** Declares the exchange and re-attaches every listener on a new connection. */
  async setup(channels: Channels, consuming: boolean): Promise<void> {
    await this.declareExchange(channels);
    if (consuming) for (const listener of this.listeners) await listener.attach(channels, this.exchange);
  }

  async listen(
    bindings: readonly string[],
    handler: SignalHandler,
    consuming: boolean,
  ): Promise<SignalListener> {
    const listener = new AmqpListener(this, bindings, handler, this.logger);
    this.listeners.add(listener);
    if (!consuming) return listener;
    await this.run(async () => {
      const channels = this.connection.channels;
      if (!channels) return; // attached on the next connection
      try {
        await this.declareExchange(channels);
        await listener.attach(channels, this.exchange);
      } catch (err) {
        if (this.connection.channels?.generation !== channels.generation) return;
        this.listeners.delete(listener);
        throw err;
      }
    });
    return listener;
  }

  async remove(listener: AmqpListener): Promise<void> {
    this.listeners.delete(listener);
    await this.run(() => listener.detach(this.connection.channels));
  }

  async stopAll(): Promise<void> {
    await this.run(async () => {
      for (const listener of this.listeners) await listener.detach(this.connection.channels);
    });
  }

  private async declareExchange(channels: Channels): Promise<void> {
    await declare(channels, async (channel) => {
      await channel.assertExchange(this.exchange, "topic", { durable: true });
    });
  }
}
