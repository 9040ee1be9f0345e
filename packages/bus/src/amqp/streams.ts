/**
 * Streams over RabbitMQ: a stream queue (`x-queue-type: stream`, retention by `x-max-age` and
 * `x-max-length-bytes`, replicas by `x-initial-cluster-size`) bound to an exchange, read over AMQP 0-9-1 by consumers that pass
 * `x-stream-offset` and need a prefetch and manual acks. Each reader has its own channel (its own
 * prefetch, and a failure of one reader touches no other consumer). A reader remembers the offset
 * after the last entry its handler finished and re-attaches there on a new channel or connection.
 * Stream declarations are repeated on every connection, like every other piece of topology.
 */
import type { Channel, ConsumeMessage } from "amqplib";
import type { Logger } from "@talk/kit";
import type { StreamHandler, StreamReader, StreamSpec, StreamStart } from "../bus";
import { deliverStreamEntry, entryOffsetOf, POSITIONS_PER_ENTRY, streamArguments } from "../stream-delivery";
import { errorMessage, sleep } from "../util";
import type { AmqpConnection, Channels } from "./connection";
import { declare } from "./consumers";
import { assertKeepingExisting } from "./durable-queues";
import { type QueueSettings, streamReplication } from "./queue-types";
import type { Names } from "./names";

const DEFAULT_PREFETCH = 256;

export class StreamTopology {
  private readonly specs = new Map<string, StreamSpec>();

  constructor(
    private readonly names: Names,
    private readonly settings: QueueSettings,
    private readonly logger: Logger,
  ) {}

  add(spec: StreamSpec): void {
    this.specs.set(spec.name, spec);
  }

  remove(spec: StreamSpec): void {
    if (this.specs.get(spec.name) === spec) this.specs.delete(spec.name);
  }

  async setup(channels: Channels): Promise<void> {
    for (const spec of this.specs.values()) await this.declare(channels, spec);
  }

  /** Declares the stream and its bindings; a stream that exists with other retention is kept. */
  async declare(channels: Channels, spec: StreamSpec): Promise<void> {
    const queue = this.names.queue(spec.name);
    await assertKeepingExisting(
      channels,
      queue,
      { ...streamArguments(spec), ...streamReplication(this.settings) },
      (err) =>
        this.logger.warn(
          { stream: queue, err: errorMessage(err) },
          "The stream exists with other retention or replication arguments; keeping them (change retention with a policy)",
        ),
    );
    await declare(channels, async (channel) => {
      const exchange = this.names.exchange(spec.exchange);
      for (const pattern of spec.bindings) await channel.bindQueue(queue, exchange, pattern);
      for (const pattern of spec.unbind ?? []) await channel.unbindQueue(queue, exchange, pattern);
      // Appends come through a binding, not the default exchange: after a broker restart a binding
      // routes only once its stream is recovered, where the default exchange routes to a stream that
      // cannot take the entry yet, and the broker confirms it all the same.
      await channel.bindQueue(queue, this.names.exchange("streams"), queue);
    });
  }
}

/** The reader's consumer on one channel. */
interface Attached {
  channel: Channel;
  tag?: string;
  generation: number;
  /** Entries handled since the last acknowledgement. */
  unacked: number;
  ackEvery: number;
}

export class AmqpStreamReader implements StreamReader {
  /** Position after the last event handled, once one was. */
  private nextPosition: number | undefined;
  private attached: Attached | undefined;
  private tail: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly queue: string,
    private readonly from: StreamStart,
    private readonly prefetch: number | undefined,
    private readonly handler: StreamHandler,
    private readonly logger: Logger,
    private readonly redeliveryDelayMs: number,
    private readonly onStop: (reader: AmqpStreamReader) => void,
  ) {}

  /** Starts consuming on this connection (from where the reader is), unless it already does. */
  async attach(channels: Channels): Promise<void> {
    if (this.stopped || this.attached?.generation === channels.generation) return;
    const channel = await channels.connection.createChannel();
    const generation = channels.generation;
    channel.on("error", (err: Error) =>
      this.logger.warn({ stream: this.queue, err: err.message }, "Stream reader channel error"),
    );
    channel.on("close", () => this.channelClosed(channel, generation));
    await channel.prefetch(this.prefetch ?? DEFAULT_PREFETCH);
    if (this.stopped) {
      await channel.close().catch(() => undefined);
      return;
    }
    const prefetch = this.prefetch ?? DEFAULT_PREFETCH;
    const attached: Attached = {
      channel,
      generation,
      unacked: 0,
      ackEvery: Math.max(1, prefetch >> 1),
    };
    this.attached = attached; // before consuming: deliveries may come before consume() resolves
    try {
      const { consumerTag } = await channel.consume(
        this.queue,
        (message) => {
          if (!message) return this.channelClosed(channel, generation); // cancelled by the broker (e.g. stream deleted)
          this.tail = this.tail.then(() => this.onMessage(message, attached));
        },
        { noAck: false, arguments: { "x-stream-offset": this.startArgument() } },
      );
      attached.tag = consumerTag;
    } catch (err) {
      // A stream just declared may not have its member on this node started yet (406 "does not
      // have a replica on the local node"): the broker closed the channel, and channelClosed
      // attaches again after a pause. Anything else is the caller's to handle.
      if (!/does not have a replica/.test(errorMessage(err))) throw err;
      this.logger.warn(
        { stream: this.queue, err: errorMessage(err) },
        "Stream not ready here yet; attaching again",
      );
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.onStop(this);
    const attached = this.attached;
    this.attached = undefined;
    if (attached) {
      if (attached.tag) await attached.channel.cancel(attached.tag).catch(() => undefined);
      await attached.channel.close().catch(() => undefined);
    }
    await this.tail;
  }

  /** The position to read from: after the last event handled, else the one asked for. */
  private get position(): number {
    return this.nextPosition ?? (typeof this.from === "object" ? this.from.offset : -1);
  }

  private startArgument(): unknown {
    if (this.nextPosition !== undefined || typeof this.from === "object")
      return { "!": "long", value: entryOffsetOf(Math.max(0, this.position)) };
    return this.from;
  }

  private async onMessage(message: ConsumeMessage, attached: Attached): Promise<void> {
    if (this.stopped || this.attached !== attached) return; // a stale delivery: skip, no ack
    const offset = Number(message.properties.headers?.["x-stream-offset"]);
    if (Number.isFinite(offset) && (offset + 1) * POSITIONS_PER_ENTRY > this.position) {
      const seconds = Number(message.properties.timestamp);
      const next = await deliverStreamEntry(
        {
          offset,
          body: message.content.toString("utf8"),
          timestamp: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Date.now(),
        },
        this.position,
        this.handler,
        {
          stream: this.queue,
          logger: this.logger,
          redeliveryDelayMs: this.redeliveryDelayMs,
          stopped: () => this.stopped,
        },
      );
      if (this.stopped) return;
      this.nextPosition = next;
    }
    // Acknowledged in batches (one frame for many entries) once half the prefetch window is handled:
    // the broker keeps the other half to deliver meanwhile, so it never waits on an acknowledgement.
    // On a stream an acknowledgement only gives credit back (it removes nothing, and the reader
    // re-attaches from its own position), so entries left unacknowledged while the stream is quiet
    // cost nothing. Acknowledging whenever nothing more was queued cost a frame (a write here, a
    // read and a channel round at the broker) per entry whenever entries came slower than they
    // were handled, i.e. almost always.
    attached.unacked++;
    if (attached.unacked < attached.ackEvery) return;
    attached.unacked = 0;
    try {
      attached.channel.ack(message, true);
    } catch {
      // the channel is gone; the reader re-attaches from nextPosition
    }
  }

  /** The channel closed under the reader: attach again on a new channel, or on the next connection. */
  private channelClosed(channel: Channel, generation: number): void {
    if (this.stopped || this.attached?.channel !== channel) return;
    this.attached = undefined;
    void (async () => {
      await sleep(this.redeliveryDelayMs);
      const channels = this.connection.channels;
      if (this.stopped || !channels || channels.generation !== generation) return; // setup re-attaches
      try {
        await this.attach(channels);
      } catch (err) {
        this.logger.warn(
          { stream: this.queue, err: errorMessage(err) },
          "Could not re-attach a stream reader",
        );
        this.connection.reset(`a reader of ${this.queue} could not re-attach`);
      }
    })();
  }
}
