/**
 * One chat as the push service sees it in the event stream: which events are new (each seq once,
 * in seq order — a duplicate is dropped, an event that arrives before a missing one waits for it),
 * and who is a participant at each seq, so that an agent receives the chat's events from its own
 * `chatparticipant_added` to its own `chatparticipant_removed` and nothing outside that window.
 *
 * Agents named when the chat was created also receive its `chat_created` (which comes before any
 * participant event), just before their own `chatparticipant_added`. A chat first seen in the
 * middle of its history (older entries dropped by retention) does not know who was in it before:
 * `inWindow` says so (undefined) until an answer from chat-manager is recorded with `assume`.
 * After `chat_deleted`, nothing more of the chat is delivered.
 */
import type { ChatType, EventEnvelope } from "@talk/contracts";

interface Change {
  seq: number;
  added: boolean;
}

/** At most this many events wait for a missing one; beyond, the missing ones are given up. */
const MAX_HELD = 1000;
/** releasedAt for a seq that never came (given up). */
const LOST = -1;

export class ChatTimeline {
  readonly chatId: string;
  readonly customerId: string;
  /** The first seq seen (1 when the whole history is known). */
  readonly firstSeq: number;
  /** The last seq applied. */
  lastSeq: number;
  /** Participants as of `lastSeq`, as far as known. */
  readonly members = new Set<string>();
  deletedSeq: number | undefined;
  /** The chat's type, once an event carrying the chat (or chat-manager's answer) said it. */
  type: ChatType | undefined;
  private readonly released: number[] = [];
  private readonly changes = new Map<string, Change[]>();
  private readonly assumed = new Map<string, boolean>();
  private creation:
    { event: EventEnvelope<"chat_created">; remaining: number; initial: Map<string, number> } | undefined;
  private readonly held = new Map<number, { event: EventEnvelope; timestamp: number }>();
  private gapSince: number | undefined;
  /** Events given up on (never came). */
  lost = 0;
  /** Timestamp of the last stream entry of this chat. */
  lastSeen = 0;

  constructor(first: EventEnvelope) {
    this.chatId = first.chat_id;
    this.customerId = first.customer_id;
    this.firstSeq = first.seq;
    this.lastSeq = first.seq - 1;
  }

  /** True when the chat's history is known from its first event. */
  get complete(): boolean {
    return this.firstSeq === 1;
  }

  get waiting(): boolean {
    return this.held.size > 0;
  }

  /**
   * Takes the event of the stream entry at `offset` (published at `timestamp`) and returns the
   * events it releases, in seq order: nothing for a duplicate or an event that must wait for a
   * missing one; else the event itself, then the waiting events it unblocked.
   */
  offer(event: EventEnvelope, offset: number, timestamp: number): EventEnvelope[] {
    const { seq } = event;
    this.lastSeen = Math.max(this.lastSeen, timestamp);
    if (seq <= this.lastSeq || this.held.has(seq)) return [];
    if (seq > this.lastSeq + 1) {
      this.held.set(seq, { event, timestamp });
      this.gapSince ??= timestamp;
      return this.held.size > MAX_HELD ? this.giveUp(offset) : [];
    }
    return [this.apply(event, offset), ...this.drain(offset)];
  }

  /**
   * When events have waited for a missing one for `toleranceMs` (by the clock of the stream's
   * entries), gives the missing ones up and returns the waiting events, released at `offset`.
   */
  expire(now: number, toleranceMs: number, offset: number): EventEnvelope[] {
    if (this.gapSince === undefined || now - this.gapSince < toleranceMs) return [];
    return this.giveUp(offset);
  }

  /** The offset of the entry whose processing released `seq` (undefined: not released, or lost). */
  releasedAt(seq: number): number | undefined {
    const offset = this.released[seq - this.firstSeq];
    return offset === undefined || offset === LOST ? undefined : offset;
  }

  /**
   * Whether `agentId` may receive the event `seq` of this chat: a participant after applying it,
   * or the participant it removes. Undefined when the chat's start is unknown and nothing was assumed.
   */
  inWindow(agentId: string, seq: number): boolean | undefined {
    if (this.deletedSeq !== undefined && seq > this.deletedSeq) return false;
    const changes = this.changes.get(agentId);
    if (changes) {
      let last: Change | undefined;
      for (const change of changes) {
        if (change.seq > seq) break;
        last = change;
      }
      if (last) return last.added || last.seq === seq;
      // Before its first known change, an agent was a participant exactly if that change removed it.
      return !changes[0].added;
    }
    if (this.complete) return false;
    return this.assumed.get(agentId);
  }

  /** True when `inWindow` cannot answer for this agent without asking chat-manager. */
  unknown(agentId: string): boolean {
    return !this.complete && !this.changes.has(agentId) && !this.assumed.has(agentId);
  }

  /** Records chat-manager's answer for an agent of a chat whose start is unknown. */
  assume(agentId: string, participant: boolean): void {
    if (!this.changes.has(agentId)) this.assumed.set(agentId, participant);
  }

  /** Records the chat's type from chat-manager's answer, for a chat first seen mid-history. */
  assumeType(type: ChatType): void {
    this.type ??= type;
  }

  /** The chat's `chat_created`, when `event` is the `chatparticipant_added` of an agent named at creation. */
  creationFor(agentId: string, event: EventEnvelope): EventEnvelope<"chat_created"> | undefined {
    if (event.type !== "chatparticipant_added" || event.data.owner_id !== agentId) return undefined;
    return this.creation?.initial.get(agentId) === event.seq ? this.creation.event : undefined;
  }

  private drain(offset: number): EventEnvelope[] {
    const released: EventEnvelope[] = [];
    for (let next = this.held.get(this.lastSeq + 1); next; next = this.held.get(this.lastSeq + 1)) {
      this.held.delete(next.event.seq);
      released.push(this.apply(next.event, offset));
    }
    this.gapSince =
      this.held.size > 0 ? Math.min(...[...this.held.values()].map((h) => h.timestamp)) : undefined;
    return released;
  }

  private giveUp(offset: number): EventEnvelope[] {
    const released: EventEnvelope[] = [];
    while (this.held.size > 0) {
      const next = Math.min(...this.held.keys());
      for (let seq = this.lastSeq + 1; seq < next; seq++) {
        this.released[seq - this.firstSeq] = LOST;
        this.lost++;
      }
      this.lastSeq = next - 1;
      released.push(...this.drain(offset));
    }
    this.gapSince = undefined;
    return released;
  }

  private apply(event: EventEnvelope, offset: number): EventEnvelope {
    this.released[event.seq - this.firstSeq] = offset;
    this.lastSeq = event.seq;
    switch (event.type) {
      case "chat_created":
        this.creation = { event, remaining: event.data.member_count, initial: new Map() };
        this.type = event.data.type;
        break;
      case "chat_updated":
        this.type = event.data.type;
        break;
      case "chatparticipant_added":
      case "chatparticipant_removed": {
        const agentId = event.data.owner_id;
        const added = event.type === "chatparticipant_added";
        let changes = this.changes.get(agentId);
        if (!changes) this.changes.set(agentId, (changes = []));
        changes.push({ seq: event.seq, added });
        if (added) this.members.add(agentId);
        else this.members.delete(agentId);
        if (added && this.creation && this.creation.remaining > 0) {
          this.creation.remaining--;
          this.creation.initial.set(agentId, event.seq);
        }
        break;
      }
      case "chat_deleted":
        this.deletedSeq ??= event.seq;
        this.type = event.data.type;
        break;
      default:
        break;
    }
    return event;
  }
}
