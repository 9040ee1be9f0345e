/**
 * Consuming Talk's public events (`talk.events`) in an internal service. One durable queue, bound
 * by routing patterns and read by one consumer at a time across replicas (single active consumer);
 * every envelope checked against the contract schemas (the envelope by the bus, the payload here);
 * repeats dropped (by event id and by seq); each chat's events handed to the handler one at a time
 * in `seq` order; a gap that does not fill within `gapWaitMs` handed to `recover` (e.g. reading the
 * chat's messages through the API); each event acknowledged only after its handler succeeded — a
 * handler that throws gets the event again, and the chat's later events wait for it.
 */
import type { Bus } from "@talk/bus";
import { type EventEnvelope, assertValid, eventPayloads } from "@talk/contracts";
import { type Logger, silentLogger } from "@talk/kit";
import { ChatOrder } from "./chat-order";
import { type Checkpoints, MemoryCheckpoints } from "./checkpoints";
import { RecentIds } from "./recent-ids";

/** Events of a chat that never arrived: `from`..`to` (inclusive), after the event handled at `after`. */
export interface Gap {
  customer_id: string;
  chat_id: string;
  from: number;
  to: number;
  /** The `time` of the chat's last handled event, when known. */
  after?: string;
}

export interface EventConsumerOptions {
  /** A bus on the broker (`AmqpBus.connect`); the embedded system's MemoryBus works in-process too. */
  bus: Bus;
  /** The durable queue: name it after your service (`billing.talk-events`); it outlives restarts. */
  queue: string;
  /** Routing patterns on `<type>.<customer_id>.<chat_id>`: `#`, `chatmessage_created.#`, `*.<customer>.*`. */
  bindings: readonly string[];
  handle: (event: EventEnvelope) => Promise<void>;
  /** Called with a gap that did not fill in time; the chat goes on after it resolves (it is retried if it throws). */
  recover?: (gap: Gap) => Promise<void>;
  /** How long a chat waits for a missing event before calling it a gap (default 2000 ms). */
  gapWaitMs?: number;
  checkpoints?: Checkpoints;
  /** Events the broker hands over before the first is acknowledged (default 64). */
  prefetch?: number;
  /** How many handled event ids are remembered for deduplication (default 10 000). */
  rememberIds?: number;
  logger?: Logger;
}

interface Arrival {
  seq: number;
  event: EventEnvelope;
  /** The payload broke its schema: acknowledged without the handler, in its place in the order. */
  invalid: boolean;
  settle: (error?: unknown) => void;
}

interface ChatState {
  order: ChatOrder<Arrival>;
  after?: string;
  running: boolean;
  gapTimer?: ReturnType<typeof setTimeout>;
}

export class EventConsumer {
  /** Whether the bindings take every event of the chats they cover, so that a missing seq is a gap. */
  readonly detectsGaps: boolean;
  private readonly chats = new Map<string, Promise<ChatState>>();
  private readonly handledIds: RecentIds;
  private readonly checkpoints: Checkpoints;
  private readonly logger: Logger;
  private stopped = false;

  constructor(private readonly options: EventConsumerOptions) {
    // A pattern that names a type (`chatmessage_created.#`) leaves the other types' seqs out.
    this.detectsGaps = options.bindings.every((pattern) => ["*", "#"].includes(pattern.split(".")[0]));
    this.handledIds = new RecentIds(options.rememberIds ?? 10_000);
    this.checkpoints = options.checkpoints ?? new MemoryCheckpoints();
    this.logger = (options.logger ?? silentLogger).child({
      component: "event-consumer",
      queue: options.queue,
    });
  }

  /** Declares the queue and its bindings, and consumes. */
  async start(): Promise<void> {
    const { bus, queue, bindings, prefetch } = this.options;
    await bus.subscribe({ queue, bindings, prefetch: prefetch ?? 64, singleActiveConsumer: true }, (event) =>
      this.receive(event),
    );
  }

  /** Stops waiting for gaps (stop the bus's consuming first: `bus.stopConsuming()` or `bus.close()`). */
  stop(): void {
    this.stopped = true;
    for (const state of this.chats.values()) void state.then((s) => clearTimeout(s.gapTimer));
  }

  /** One delivery: resolves when it may be acknowledged, rejects to have it delivered again. */
  private async receive(event: EventEnvelope): Promise<void> {
    if (this.handledIds.has(event.id)) return;
    const state = await this.chatState(event.chat_id);
    return new Promise<void>((resolve, reject) => {
      const arrival: Arrival = {
        seq: event.seq,
        event,
        invalid: !this.payloadValid(event),
        settle: (error) => (error === undefined ? resolve() : reject(error)),
      };
      if (!state.order.arrive(arrival)) return resolve(); // a repeat
      void this.drain(state);
    });
  }

  private payloadValid(event: EventEnvelope): boolean {
    try {
      assertValid(eventPayloads[event.type], event.data, "event.data");
      return true;
    } catch (err) {
      this.logger.error(
        { eventId: event.id, type: event.type, err },
        "Skipping an event whose payload breaks its schema",
      );
      return false;
    }
  }

  private chatState(chatId: string): Promise<ChatState> {
    let state = this.chats.get(chatId);
    if (!state) {
      state = this.checkpoints.get(chatId).then((checkpoint) => ({
        order: new ChatOrder<Arrival>(checkpoint?.seq),
        after: checkpoint?.time,
        running: false,
      }));
      this.chats.set(chatId, state);
    }
    return state;
  }

  /** Hands the chat's due events to the handler, one at a time; then looks for a gap. */
  private async drain(state: ChatState): Promise<void> {
    if (state.running) return;
    state.running = true;
    try {
      for (let due = state.order.due(); due; due = state.order.due()) {
        const { event } = due;
        try {
          if (!due.invalid) await this.options.handle(event);
          await this.checkpoints.set(event.chat_id, { seq: event.seq, time: event.time });
        } catch (err) {
          state.order.failed(due);
          due.settle(err instanceof Error ? err : new Error(String(err)));
          continue;
        }
        state.order.handled(due);
        state.after = event.time;
        this.handledIds.add(event.id);
        due.settle();
      }
    } finally {
      state.running = false;
    }
    this.watchForGap(state);
  }

  private watchForGap(state: ChatState): void {
    if (state.gapTimer || this.stopped || !state.order.missing()) return;
    if (!this.detectsGaps) {
      state.order.skipMissing();
      void this.drain(state);
      return;
    }
    state.gapTimer = setTimeout(() => void this.closeGap(state), this.options.gapWaitMs ?? 2000);
  }

  private async closeGap(state: ChatState): Promise<void> {
    state.gapTimer = undefined;
    const missing = state.order.missing();
    const first = state.order.first()?.event;
    if (!missing || !first || this.stopped) return;
    const gap: Gap = {
      customer_id: first.customer_id,
      chat_id: first.chat_id,
      ...missing,
      ...(state.after ? { after: state.after } : {}),
    };
    try {
      if (this.options.recover) await this.options.recover(gap);
      else this.logger.warn(gap, "Events never arrived; going on without them (no recover given)");
    } catch (err) {
      this.logger.warn({ ...gap, err }, "Recovering a gap failed; trying again");
      this.watchForGap(state);
      return;
    }
    this.logger.info(gap, "Went on after a gap");
    state.order.skipMissing();
    await this.drain(state);
  }
}
