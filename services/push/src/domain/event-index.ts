/**
 * What a push replica knows of the event stream, built by reading it from its first retained
 * entry: one timeline per chat, and which events each stream entry released. Every replica reads
 * the same stream with the same rules, so any replica can tell, for any entry from the cursor of
 * another, the same events in the same order: that is what lets a client resume anywhere.
 */
import type { EventEnvelope } from "@talk/contracts";
import { ChatTimeline } from "./chat-timeline";

export interface IndexEntry {
  offset: number;
  event: EventEnvelope;
  timestamp: number;
}

export interface Released {
  event: EventEnvelope;
  timeline: ChatTimeline;
}

export interface EventIndexOptions {
  /** How long (by the stream's own timestamps) events wait for a missing one before it is given up. */
  gapToleranceMs: number;
  /**
   * Chats with no entry for this long (by the stream's timestamps) are forgotten: the stream no
   * longer holds their entries, so no cursor can need them (default: never).
   */
  horizonMs?: number;
}

/** How many entries go by between two looks for chats to forget. */
const PRUNE_EVERY = 1024;

export class EventIndex {
  private readonly timelines = new Map<string, ChatTimeline>();
  /** Events released by an entry other than their own (they waited for a missing one). */
  private readonly extras = new Map<number, { timestamp: number; released: Released[] }>();
  private ingested = 0;
  private readonly waiting = new Set<ChatTimeline>();
  private lostEvents = 0;
  /** Entries older than this (by the stream's timestamps) may concern forgotten chats. */
  forgottenBefore = -Infinity;
  /** Entries whose chat id was seen before under another customer (never delivered). */
  foreign = 0;

  constructor(private readonly options: EventIndexOptions) {}

  get chats(): number {
    return this.timelines.size;
  }

  /** Chat events given up on so far (they never came, even after waiting). */
  get lost(): number {
    return this.lostEvents;
  }

  timeline(chatId: string): ChatTimeline | undefined {
    return this.timelines.get(chatId);
  }

  /** Applies the next stream entry (entries must come in offset order, each once). */
  ingest(entry: IndexEntry): void {
    const { event, offset } = entry;
    let timeline = this.timelines.get(event.chat_id);
    if (!timeline) this.timelines.set(event.chat_id, (timeline = new ChatTimeline(event)));
    const extras: Released[] = [];
    if (timeline.customerId !== event.customer_id) {
      this.foreign++;
    } else {
      const lost = timeline.lost;
      for (const released of timeline.offer(event, offset, entry.timestamp))
        if (released !== event) extras.push({ event: released, timeline });
      this.lostEvents += timeline.lost - lost;
      this.track(timeline);
    }
    for (const other of [...this.waiting]) {
      const lost = other.lost;
      for (const released of other.expire(entry.timestamp, this.options.gapToleranceMs, offset))
        extras.push({ event: released, timeline: other });
      this.lostEvents += other.lost - lost;
      this.track(other);
    }
    if (extras.length > 0) this.extras.set(offset, { timestamp: entry.timestamp, released: extras });
    if (++this.ingested % PRUNE_EVERY === 0) this.prune(entry.timestamp);
  }

  /**
   * The events the entry at `offset` released, in order: its own event unless it was a duplicate
   * or had to wait, then the events that waited for it (or for the gap before them to be given up).
   * Only for entries already ingested.
   */
  releasedBy(entry: Pick<IndexEntry, "offset" | "event">): Released[] {
    const timeline = this.timelines.get(entry.event.chat_id);
    const own =
      timeline &&
      timeline.customerId === entry.event.customer_id &&
      timeline.releasedAt(entry.event.seq) === entry.offset
        ? [{ event: entry.event, timeline }]
        : [];
    const extras = this.extras.get(entry.offset);
    return extras ? [...own, ...extras.released] : own;
  }

  /** Forgets the chats (and waited-for releases) older than the horizon. */
  private prune(now: number): void {
    const { horizonMs } = this.options;
    if (horizonMs === undefined) return;
    const oldest = now - horizonMs;
    this.forgottenBefore = Math.max(this.forgottenBefore, oldest);
    for (const [chatId, timeline] of this.timelines)
      if (timeline.lastSeen < oldest && !timeline.waiting) this.timelines.delete(chatId);
    for (const [offset, extras] of this.extras) if (extras.timestamp < oldest) this.extras.delete(offset);
  }

  private track(timeline: ChatTimeline): void {
    if (timeline.waiting) this.waiting.add(timeline);
    else this.waiting.delete(timeline);
  }
}
