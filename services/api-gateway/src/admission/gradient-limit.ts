/**
 * How many API requests a gateway replica admits at once, adapted to the latency of what it admits
 * — a gradient limit after Netflix's concurrency-limits `Gradient2Limit`. Completions are averaged
 * per window (`windowMs`); the long-run latency is an exponential average of those windows (about
 * `longWindows` of them). Each window the limit moves by the gradient
 * `min(1, tolerance × long-run ÷ this window)`, clamped at ½: while a window's latency stays within
 * `tolerance` of the long-run latency the gradient is 1 and the limit grows by √limit (smoothed);
 * when it rises beyond — requests began to queue somewhere behind the gateway — the limit shrinks
 * toward `limit × gradient`. The target is relative, so a machine on which requests are slow even at
 * their best (the shared 2-core bench: 100–300 ms at the peak, 5–20 ms idle) keeps the concurrency
 * its throughput needs, where a fixed latency target held the limit at its floor (the overload
 * drill's 2× minute served a third of the peak). Two more rules from Gradient2: a window whose
 * latency is under half the long-run one pulls the long-run average down (5 % a window), so it
 * recovers after a load that is gone; and a window in which fewer than half the limit were in
 * flight leaves the limit alone (the replica was not using it, so its latency says nothing about
 * it). Smoothing: each window moves the limit a fifth of the way to its new value.
 * Pure: the clock is the caller's (docs/operations.md, "Overload").
 */
export interface GradientLimitSettings {
  /** Never more than this (`MAX_REQUESTS_IN_FLIGHT`); the limit starts here. */
  max: number;
  /** Never less than this. */
  min: number;
  /** A window's mean latency this many times the long-run one (or less) is no queue (e.g. 1.5). */
  tolerance: number;
  /** Length of an observation window (ms). */
  windowMs: number;
  /** Windows the long-run average spans (default 600: a minute of 100 ms windows). */
  longWindows?: number;
}

const SMOOTHING = 0.2;
const MIN_GRADIENT = 0.5;
/** Windows averaged plainly before the long-run average becomes exponential. */
const WARMUP_WINDOWS = 10;
/** A window under 1 / this of the long-run latency pulls the long-run average down. */
const RECOVERY_RATIO = 2;
const RECOVERY_DECAY = 0.95;

export class GradientLimit {
  private current: number;
  private windowStart: number;
  private sumMs = 0;
  private count = 0;
  private mostInFlight = 0;
  private longMs = 0;
  private windows = 0;

  constructor(
    private readonly settings: GradientLimitSettings,
    now: number,
  ) {
    this.current = settings.max;
    this.windowStart = now;
  }

  /** Requests admitted at once right now. */
  get limit(): number {
    return Math.floor(this.current);
  }

  /** The long-run mean latency of a window (ms; 0 before the first window). */
  get longRunMs(): number {
    return this.longMs;
  }

  /** A request was admitted; `inFlight` are being served now, it included. */
  admitted(inFlight: number): void {
    this.mostInFlight = Math.max(this.mostInFlight, inFlight);
  }

  /** An admitted request finished `ms` after it was admitted. */
  completed(ms: number, now: number): void {
    this.sumMs += ms;
    this.count++;
    if (now - this.windowStart < this.settings.windowMs) return;
    this.update(this.sumMs / this.count);
    this.windowStart = now;
    this.sumMs = 0;
    this.count = 0;
    this.mostInFlight = 0;
  }

  private update(shortMs: number): void {
    const { min, max, tolerance, longWindows = 600 } = this.settings;
    this.windows++;
    if (this.windows <= WARMUP_WINDOWS) this.longMs += (shortMs - this.longMs) / this.windows;
    else this.longMs += (shortMs - this.longMs) * (2 / (longWindows + 1));
    if (this.longMs > RECOVERY_RATIO * shortMs) this.longMs *= RECOVERY_DECAY;
    if (this.mostInFlight < this.current / 2) return; // not using its limit: nothing to learn
    const gradient = Math.max(MIN_GRADIENT, Math.min(1, (tolerance * this.longMs) / Math.max(shortMs, 1e-3)));
    const target = this.current * gradient + Math.sqrt(this.current);
    this.current = Math.max(min, Math.min(max, this.current * (1 - SMOOTHING) + target * SMOOTHING));
  }
}
