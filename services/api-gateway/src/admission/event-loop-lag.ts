/**
 * How late this process's event loop runs, and how busy it is, sampled: a timer due every
 * `intervalMs` notes by how much it fired late and how much of the interval the loop spent running
 * code rather than waiting for I/O (its event-loop utilization); `lagMs` is the largest delay of the
 * last `keep` samples (about the last `intervalMs × keep` ms) and `utilization` the share of those
 * samples' time the loop was busy (Node's event-loop utilization).
 *
 * A late loop alone does not mean the gateway is the bottleneck: on a machine whose cores are busy
 * with other processes the loop waits for a CPU while it has nothing to do (measured: 200-350 ms
 * late at an offer the stack served, load average 14-20 on 2 cores). `overloaded` is true only
 * when the loop is both late and busy with its own work — then refusing new requests is what frees
 * it (docs/operations.md, "Overload").
 */
import { type EventLoopUtilization, performance } from "node:perf_hooks";

interface Sample {
  lateMs: number;
  activeMs: number;
  idleMs: number;
}

export class EventLoopLag {
  private readonly recent: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private lastUtilization: EventLoopUtilization | undefined;

  constructor(
    private readonly intervalMs = 20,
    private readonly keep = 5,
  ) {}

  start(): this {
    this.last = performance.now();
    this.lastUtilization = performance.eventLoopUtilization();
    this.timer = setInterval(() => {
      const now = performance.now();
      const since = performance.eventLoopUtilization(this.lastUtilization);
      this.lastUtilization = performance.eventLoopUtilization();
      this.note(now - this.last - this.intervalMs, since.active, since.idle);
      this.last = now;
    }, this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Records one sample: the timer fired `lateMs` after it was due; since the previous sample the
   * loop ran code for `activeMs` and waited for I/O for `idleMs` (omitted: counted as busy).
   */
  note(lateMs: number, activeMs = 1, idleMs = 0): void {
    this.recent.push({ lateMs: Math.max(0, lateMs), activeMs, idleMs });
    if (this.recent.length > this.keep) this.recent.shift();
  }

  /** The largest delay among the recent samples (0 before the first). */
  get lagMs(): number {
    return this.recent.reduce((most, s) => Math.max(most, s.lateMs), 0);
  }

  /** The share of the recent samples' time the loop was running code (0 before the first). */
  get utilization(): number {
    const active = this.recent.reduce((sum, s) => sum + s.activeMs, 0);
    const idle = this.recent.reduce((sum, s) => sum + s.idleMs, 0);
    return active + idle > 0 ? active / (active + idle) : 0;
  }

  /**
   * Late by at least `thresholdMs` and busy running code at least `busyShare` (0–1) of the recent
   * time: this process's own work is the bottleneck. A `busyShare` of 0 judges lateness alone.
   */
  overloaded(thresholdMs: number, busyShare: number): boolean {
    return this.lagMs >= thresholdMs && this.utilization >= busyShare;
  }
}
