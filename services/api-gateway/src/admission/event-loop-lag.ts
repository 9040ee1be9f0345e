/**
 * How late this process's event loop runs, sampled: a timer due every `intervalMs` notes by how much
 * it fired late, and `lagMs` is the largest delay of the last `keep` samples (about the last
 * `intervalMs × keep` ms). A gateway whose own loop runs late answers everything late, refusals
 * included, so admission control sheds while it is (docs/operations.md, "Overload").
 */
export class EventLoopLag {
  private readonly recent: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = 0;

  constructor(
    private readonly intervalMs = 20,
    private readonly keep = 5,
  ) {}

  start(): this {
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.note(now - this.last - this.intervalMs);
      this.last = now;
    }, this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Records one sample: the timer fired `lateMs` after it was due. */
  note(lateMs: number): void {
    this.recent.push(Math.max(0, lateMs));
    if (this.recent.length > this.keep) this.recent.shift();
  }

  /** The largest delay among the recent samples (0 before the first). */
  get lagMs(): number {
    return this.recent.length === 0 ? 0 : Math.max(...this.recent);
  }
}
