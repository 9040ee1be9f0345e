/**
 * The replica's reading of the event stream: from its first retained entry, every entry goes into
 * the index and then out to the live connections, in offset order. `head` is the last entry done;
 * the replica is ready once it has caught up with the stream (no entry for a moment, or an entry
 * published just before it started), so new connections never get old events as live ones.
 */
import type { Bus, StreamEntry, StreamReader, StreamSpec } from "@talk/bus";
import { type Logger, SpanKind, contextFrom, inSpan } from "@talk/kit";
import { BEFORE_FIRST, encodeCursor, tagOf } from "../domain/cursor";
import { EventIndex, type EventIndexOptions } from "../domain/event-index";
import type { PushMetrics } from "../metrics";
import type { Hub } from "../socket/hub";

/** Caught up when no entry came for this long... */
const IDLE_MS = 500;
/** ...or an entry was published at most this long before the reading started. */
const RECENT_MS = 2000;

export interface Head {
  offset: number;
  tag: string;
}

export class EventLog {
  readonly index: EventIndex;
  head: Head | undefined;
  private reader: StreamReader | undefined;
  private caughtUp = false;
  private readonly waiters = new Set<() => void>();
  private lost = 0;

  constructor(
    private readonly bus: Bus,
    readonly spec: StreamSpec,
    private readonly hub: Hub,
    private readonly metrics: PushMetrics,
    private readonly logger: Logger,
    options: EventIndexOptions,
  ) {
    this.index = new EventIndex(options);
  }

  get ready(): boolean {
    return this.caughtUp;
  }

  /** Reads the stream from its first entry on; resolves once caught up with it. */
  async start(): Promise<void> {
    const started = Date.now();
    let idle: NodeJS.Timeout | undefined;
    let caughtUp!: () => void;
    const whenCaughtUp = new Promise<void>((resolve) => (caughtUp = resolve));
    const done = () => {
      if (this.caughtUp) return;
      this.caughtUp = true;
      clearTimeout(idle);
      this.logger.info(
        { head: this.head?.offset ?? null, chats: this.index.chats },
        "Caught up with the event stream",
      );
      caughtUp();
    };
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(done, IDLE_MS);
    };
    this.reader = await this.bus.readStream(this.spec, { from: "first" }, async (entry) => {
      if (!this.caughtUp) arm();
      await this.process(entry);
      if (!this.caughtUp && entry.timestamp >= started - RECENT_MS) done();
    });
    if (!this.caughtUp) arm();
    await whenCaughtUp;
  }

  /** The cursor of the head: a connection starting now misses nothing after it. */
  cursor(): string {
    return this.head
      ? encodeCursor({ offset: this.head.offset, tag: this.head.tag })
      : encodeCursor(BEFORE_FIRST);
  }

  /** True once the head is at or past `offset` (false if that takes longer than `timeoutMs`). */
  async reached(offset: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while ((this.head?.offset ?? -1) < offset) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.waiters.add(wake);
      });
    }
    return true;
  }

  async stop(): Promise<void> {
    await this.reader?.stop();
    for (const wake of [...this.waiters]) wake();
  }

  /** Live events are traced (under the relay's publish span), not the ones read again at start. */
  private async process(entry: StreamEntry): Promise<void> {
    if (!this.caughtUp) {
      await this.apply(entry);
      return;
    }
    await inSpan(
      `push ${entry.event.type}`,
      {
        kind: SpanKind.CONSUMER,
        parent: contextFrom(entry.event),
        attributes: {
          "messaging.system": "rabbitmq",
          "messaging.operation.type": "process",
          "messaging.destination.name": this.spec.name,
          "messaging.message.id": entry.event.id,
        },
      },
      async (span) => {
        span.setAttribute("talk.push.connections", await this.apply(entry));
      },
    );
  }

  /** Takes an entry in and sends what it released; answers to how many connections. */
  private async apply(entry: StreamEntry): Promise<number> {
    this.index.ingest(entry);
    const released = this.index.releasedBy(entry);
    await this.hub.complete(released);
    const sentTo = this.hub.fanOut(entry.offset, entry.event.id, released); // synchronous with the head moving
    this.head = { offset: entry.offset, tag: tagOf(entry.event.id) };
    this.metrics.streamOffset.set(entry.offset);
    const lost = this.index.lost;
    if (lost > this.lost) {
      this.metrics.lostEvents.inc(lost - this.lost);
      this.logger.error(
        { lost: lost - this.lost, offset: entry.offset },
        "Gave up waiting for missing chat events",
      );
      this.lost = lost;
    }
    for (const wake of [...this.waiters]) wake();
    return sentTo;
  }
}
