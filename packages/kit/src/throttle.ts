/**
 * "At most once per interval, per key" (leading edge: the first call passes, the ones inside the
 * interval after it do not). Bounded: keys whose interval is over are forgotten as it goes.
 */
export class KeyedThrottle {
  private readonly last = new Map<string, number>();
  private sweptAt = 0;

  constructor(private readonly intervalMs: number) {}

  /** True when `key` may pass now (and records it); false inside its interval. */
  pass(key: string, now = Date.now()): boolean {
    this.sweep(now);
    const last = this.last.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.last.set(key, now);
    return true;
  }

  /** Lets `key` pass again at once (e.g. the state it guarded changed). */
  reset(key: string): void {
    this.last.delete(key);
  }

  get size(): number {
    return this.last.size;
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < this.intervalMs) return;
    this.sweptAt = now;
    for (const [key, at] of this.last) if (now - at >= this.intervalMs) this.last.delete(key);
  }
}
