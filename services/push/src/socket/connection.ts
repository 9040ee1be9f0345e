/**
 * One client connection: who it is, what it subscribed to, where it stands in the event stream,
 * and sending with a bound. A connection is `idle` until its first subscription, then `replaying`
 * (catching up from its cursor) or `live` (fed by the replica's fan-out), until `closed`.
 * A live client whose send buffer passes the bound is disconnected (1013) instead of growing memory.
 */
import type { ServerFrame } from "@talk/contracts";
import { PUSH_CLOSE_CODES } from "@talk/contracts";
import type { Logger } from "@talk/kit";
import type WebSocket from "ws";
import type { Cursor } from "../domain/cursor";
import { Subscriptions } from "../domain/subscriptions";
import type { Viewer } from "../domain/topics";
import type { PushMetrics } from "../metrics";

export type ConnectionMode = "idle" | "replaying" | "live" | "closed";

export interface ConnectionLimits {
  sendBufferBytes: number;
  maxFramesPer10s: number;
}

/** How long a client told to go away may take to finish the closing handshake. */
const CLOSE_GRACE_MS = 1000;

export class Connection {
  readonly subscriptions: Subscriptions;
  mode: ConnectionMode = "idle";
  /** Where a resuming client asked to start (`?cursor=`), until its replay begins. */
  resumeFrom: Cursor | undefined;
  /** The cursor of the last event frame sent. */
  lastCursor: string | undefined;
  /** False from a ping until its pong. */
  alive = true;
  private frames: number[] = [];
  private tail: Promise<void> = Promise.resolve();
  private expiry: NodeJS.Timeout | undefined;

  constructor(
    readonly ws: WebSocket,
    readonly viewer: Viewer,
    private readonly limits: ConnectionLimits,
    private readonly metrics: PushMetrics,
    readonly logger: Logger,
  ) {
    this.subscriptions = new Subscriptions(viewer);
  }

  get open(): boolean {
    return this.mode !== "closed";
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Sends an event frame; a client that does not keep up is disconnected. */
  sendEvent(frame: Buffer, cursor: string): void {
    if (!this.open) return;
    this.ws.send(frame, { binary: false });
    this.lastCursor = cursor;
    this.metrics.framesSent.inc({ kind: "event" });
    if (this.ws.bufferedAmount > this.limits.sendBufferBytes) {
      this.metrics.slowConsumers.inc();
      this.logger.warn(
        { buffered: this.ws.bufferedAmount },
        "Disconnecting a client that does not read fast enough",
      );
      this.close(PUSH_CLOSE_CODES.slowConsumer, "send buffer full: reconnect with your last cursor");
    }
  }

  sendControl(frame: ServerFrame): void {
    this.sendSerialized(JSON.stringify(frame));
  }

  /** A control frame serialized once for many connections (presence, typing). */
  sendSerialized(frame: string): void {
    if (!this.open) return;
    this.ws.send(frame);
    this.metrics.framesSent.inc({ kind: "control" });
  }

  /** Resolves once the send buffer is under `bytes` (true), or false if it stays over it for `timeoutMs` or the connection closes. */
  async drained(bytes: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.open && this.ws.bufferedAmount > bytes) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.open;
  }

  /** Counts a client frame; false when the client sends faster than allowed. */
  withinRate(now = Date.now()): boolean {
    this.frames = this.frames.filter((t) => t > now - 10_000);
    this.frames.push(now);
    return this.frames.length <= this.limits.maxFramesPer10s;
  }

  /** Runs the handling of client frames one at a time, in order. */
  serially(work: () => Promise<void>): void {
    this.tail = this.tail
      .then(work)
      .catch((err: unknown) => this.logger.error({ err }, "Client frame handling failed"));
  }

  /** Closes the connection when its access token expires (4001: log in again, then resume). */
  expireAt(epochMs: number): void {
    const delay = Math.min(Math.max(0, epochMs - Date.now()), 2 ** 31 - 1);
    this.expiry = setTimeout(
      () =>
        this.close(
          PUSH_CLOSE_CODES.tokenExpired,
          "token expired: log in again and reconnect with your last cursor",
        ),
      delay,
    );
    this.expiry.unref();
  }

  /** Closes with a code that tells the client what to do; the socket is cut if the client does not answer. */
  close(code: number, reason: string): void {
    if (!this.open) return;
    this.mode = "closed";
    clearTimeout(this.expiry);
    try {
      this.ws.close(code, reason);
    } catch {
      // already closing
    }
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** The socket is gone (closed by either side). */
  closed(): void {
    this.mode = "closed";
    clearTimeout(this.expiry);
  }
}
