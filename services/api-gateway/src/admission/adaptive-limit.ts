/**
 * How many API requests a gateway replica admits at once, adapted to what the services behind it
 * finish in time. The replica watches how long its requests take, in windows: when even the
 * fastest request of a window took longer than the target, every request waited in a queue
 * somewhere behind the gateway (CoDel's test for a standing queue, which one slow search cannot
 * fake), and the limit shrinks by a quarter; a window without one lets it grow back by one tenth
 * (at least one), up to the configured maximum. The excess is then refused at once instead of
 * joining the queue, so what is accepted keeps its latency (docs/operations.md, "Overload").
 * Pure: the clock is the caller's.
 */
export interface AdaptiveLimitSettings {
  /** Never more than this (`MAX_REQUESTS_IN_FLIGHT`); the limit starts here. */
  max: number;
  /** Never less than this. */
  min: number;
  /** A window whose fastest request took longer than this had a standing queue (ms). */
  queueTargetMs: number;
  /** Length of an observation window (ms). */
  windowMs: number;
}

const DECREASE = 0.75;
const INCREASE = 0.1;

export class AdaptiveLimit {
  private current: number;
  private windowStart: number;
  private fastestMs = Infinity;

  constructor(
    private readonly settings: AdaptiveLimitSettings,
    now: number,
  ) {
    this.current = settings.max;
    this.windowStart = now;
  }

  /** Requests admitted at once right now. */
  get limit(): number {
    return Math.floor(this.current);
  }

  /** An admitted request finished `ms` after it was admitted. */
  completed(ms: number, now: number): void {
    this.fastestMs = Math.min(this.fastestMs, ms);
    if (now - this.windowStart < this.settings.windowMs) return;
    const { min, max, queueTargetMs } = this.settings;
    if (this.fastestMs > queueTargetMs) this.current = Math.max(min, this.current * DECREASE);
    else this.current = Math.min(max, this.current + Math.max(1, this.current * INCREASE));
    this.windowStart = now;
    this.fastestMs = Infinity;
  }
}
