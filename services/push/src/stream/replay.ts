/**
 * Resuming a connection from its cursor: the stream is read again from the cursor's entry (which
 * must still be there, with the same event: else the client is told to resync), every entry up to
 * the replica's head gives the connection exactly the frames the live fan-out gave, and when the
 * replay reaches the head the connection turns live in the same step — nothing missed, nothing
 * twice. A cursor from a replica ahead of this one waits a moment for this one to get there.
 * Replays run a bounded number at a time; a client that does not read its replay is disconnected.
 */
import type { Bus, StreamEntry } from "@talk/bus";
import { PUSH_CLOSE_CODES } from "@talk/contracts";
import type { Logger } from "@talk/kit";
import { type Cursor, tagOf } from "../domain/cursor";
import { needsMembership } from "../domain/routing";
import type { ChatMembership } from "../membership";
import type { PushMetrics } from "../metrics";
import type { Connection } from "../socket/connection";
import { EntryFrames } from "../socket/entry-frames";
import type { EventLog } from "./event-log";

/** How long a replaying client may leave its buffer full before it is disconnected. */
const STALLED_REPLAY_MS = 30_000;

export interface ReplaySettings {
  maxResumes: number;
  aheadWaitMs: number;
  sendBufferBytes: number;
}

export class Replays {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly log: EventLog,
    private readonly membership: ChatMembership,
    private readonly settings: ReplaySettings,
    private readonly metrics: PushMetrics,
    private readonly logger: Logger,
  ) {}

  /** Catches the connection up from `cursor`, then makes it live. */
  async resume(connection: Connection, cursor: Cursor): Promise<void> {
    connection.mode = "replaying";
    await this.slot();
    try {
      await this.run(connection, cursor);
    } catch (err) {
      this.logger.error({ err }, "Replay failed");
      connection.close(PUSH_CLOSE_CODES.serviceRestart, "replay failed: reconnect with your last cursor");
    } finally {
      this.release();
    }
  }

  private async run(connection: Connection, cursor: Cursor): Promise<void> {
    if (!(await this.log.reached(cursor.offset, this.settings.aheadWaitMs))) {
      return this.resync(connection, "CURSOR_UNKNOWN", "The cursor is not from this event stream.");
    }
    if (!connection.open) return;
    const head = this.log.head;
    const atHead = head ? cursor.offset === head.offset && cursor.tag === head.tag : cursor.offset === -1;
    if (atHead && cursor.frames === undefined) return this.live(connection, "live");

    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let over = false;
    let first = true;
    const end = (then: () => void) => {
      if (over) return;
      over = true;
      then();
      finish();
    };
    const reader = await this.bus.readStream(
      this.log.spec,
      { from: { offset: Math.max(cursor.offset, 0) }, prefetch: 64 },
      async (entry) => {
        if (over) return;
        if (!connection.open) return end(() => undefined);
        if (first) {
          first = false;
          const problem = this.check(cursor, entry);
          if (problem) return end(() => this.resync(connection, problem.reason, problem.message));
          if (cursor.offset >= 0 && cursor.frames === undefined) {
            // the cursor's own entry was delivered in full
            if (this.log.head?.offset === entry.offset) end(() => this.live(connection, "replayed"));
            return;
          }
        }
        const headNow = this.log.head;
        if (!headNow || entry.offset > headNow.offset) return end(() => this.live(connection, "replayed"));
        await this.deliver(connection, entry, entry.offset === cursor.offset ? (cursor.frames ?? 0) : 0);
        if (!(await connection.drained(this.settings.sendBufferBytes / 2, STALLED_REPLAY_MS))) {
          this.metrics.slowConsumers.inc();
          connection.close(
            PUSH_CLOSE_CODES.slowConsumer,
            "not reading the replay: reconnect with your last cursor",
          );
          return end(() => undefined);
        }
        if (this.log.head?.offset === entry.offset) end(() => this.live(connection, "replayed"));
      },
    );
    const watchdog = setInterval(() => {
      if (!connection.open) end(() => undefined);
    }, 1000);
    try {
      await finished;
    } finally {
      clearInterval(watchdog);
      await reader.stop();
    }
  }

  /** Why the first entry read does not continue the cursor, if it does not. */
  private check(cursor: Cursor, entry: StreamEntry): { reason: string; message: string } | undefined {
    const expected = Math.max(cursor.offset, 0);
    // past the index's horizon the chats may be forgotten: as good as dropped from the stream
    if (entry.offset > expected || entry.timestamp < this.log.index.forgottenBefore)
      return {
        reason: "CURSOR_EXPIRED",
        message:
          "Events after your cursor are no longer kept. Reload your chats from the REST API, then go on from the cursor of this frame.",
      };
    if (cursor.offset >= 0 && tagOf(entry.event.id) !== cursor.tag)
      return {
        reason: "CURSOR_UNKNOWN",
        message:
          "The cursor is not from this event stream. Reload your chats from the REST API, then go on from the cursor of this frame.",
      };
    return undefined;
  }

  private async deliver(connection: Connection, entry: StreamEntry, skip: number): Promise<void> {
    const released = this.log.index.releasedBy(entry);
    for (const { timeline } of released)
      if (needsMembership(connection.viewer, connection.subscriptions, timeline))
        await this.membership.resolve(timeline, [connection.viewer.agentId]);
    const frames = new EntryFrames(entry.offset, entry.event.id);
    frames.send(connection, frames.route(connection, released), skip);
  }

  /** Tells the client its cursor cannot be continued, and goes live from the head. */
  private resync(connection: Connection, reason: string, message: string): void {
    if (!connection.open) return;
    connection.sendControl({ type: "resync_required", reason, message, cursor: this.log.cursor() });
    this.live(connection, "resync");
  }

  private live(connection: Connection, outcome: "live" | "replayed" | "resync"): void {
    if (!connection.open) return;
    connection.mode = "live";
    this.metrics.resumes.inc({ outcome });
  }

  private async slot(): Promise<void> {
    if (this.running < this.settings.maxResumes) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running--;
  }
}
