import { GradientLimit } from "./gradient-limit";

const settings = { max: 100, min: 4, tolerance: 1.5, windowMs: 100, longWindows: 20 };

/** Drives a limit window by window: each window `inFlight` requests at once, completing in `ms`. */
class Clock {
  now = 0;
  constructor(readonly limit: GradientLimit) {}

  window(ms: number, inFlight = this.limit.limit): void {
    this.limit.admitted(inFlight);
    this.now += 100;
    this.limit.completed(ms, this.now);
  }

  windows(n: number, ms: number, inFlight?: number): void {
    for (let i = 0; i < n; i++) this.window(ms, inFlight);
  }
}

describe("the gradient admission limit", () => {
  it("starts at the configured maximum", () => {
    expect(new GradientLimit(settings, 0).limit).toBe(100);
  });

  it("keeps the maximum while the latency stays steady, however slow it is", () => {
    const clock = new Clock(new GradientLimit(settings, 0));
    clock.windows(50, 300); // 300 ms at its best is this machine's normal, not a queue
    expect(clock.limit.limit).toBe(100);
    expect(clock.limit.longRunMs).toBeCloseTo(300);
  });

  it("shrinks while the latency rises beyond the tolerance of the long-run latency", () => {
    const clock = new Clock(new GradientLimit(settings, 0));
    clock.windows(20, 100);
    clock.window(400); // 4× the long run: gradient ½, a fifth of the way there
    expect(clock.limit.limit).toBe(Math.floor(0.8 * 100 + 0.2 * (50 + 10)));
    for (let ms = 400; ms < 400 * 2 ** 10; ms *= 2) clock.window(ms); // and keeps rising
    expect(clock.limit.limit).toBeLessThan(50);
  });

  it("tolerates a rise within the tolerance", () => {
    const clock = new Clock(new GradientLimit(settings, 0));
    clock.windows(20, 100);
    clock.windows(5, 140); // 1.4× the long run, within 1.5×
    expect(clock.limit.limit).toBe(100);
  });

  it("never goes below its minimum however long the latency keeps rising", () => {
    const clock = new Clock(new GradientLimit({ ...settings, min: 10 }, 0));
    clock.windows(10, 10);
    for (let ms = 20; ms < 1e9; ms *= 1.5) clock.window(ms);
    expect(clock.limit.limit).toBe(10);
  });

  it("grows back by about √limit a window once the latency settles, up to the maximum", () => {
    const clock = new Clock(new GradientLimit(settings, 0));
    clock.windows(20, 100);
    for (let ms = 200; clock.limit.limit > 20; ms *= 1.6) clock.window(ms);
    const low = clock.limit.limit;
    const settled = clock.limit.longRunMs;
    clock.window(settled);
    expect(clock.limit.limit).toBeGreaterThan(low);
    clock.windows(200, settled);
    expect(clock.limit.limit).toBe(100);
  });

  it("lowers its long-run latency quickly once windows run at under half of it (the load is gone)", () => {
    const clock = new Clock(new GradientLimit(settings, 0));
    clock.windows(40, 1000);
    clock.windows(20, 10, 1);
    // an exponential average over 20 windows alone would still be above 300 ms
    expect(clock.limit.longRunMs).toBeLessThan(0.35 * 1000);
  });

  it("leaves the limit alone while fewer than half of it are in flight (the replica is not using it)", () => {
    const clock = new Clock(new GradientLimit(settings, 0));
    clock.windows(20, 100);
    clock.windows(2, 1000, 40);
    expect(clock.limit.limit).toBe(100);
    clock.window(1000, 60);
    expect(clock.limit.limit).toBeLessThan(100);
  });

  it("judges a window only once it is over, by its mean latency", () => {
    const limit = new GradientLimit(settings, 0);
    limit.admitted(100);
    for (let t = 1; t <= 20; t++) limit.completed(50, t * 100); // a long run of 50 ms
    limit.admitted(100);
    limit.completed(10, 2050);
    limit.completed(500, 2099);
    expect(limit.limit).toBe(100); // the window is not over yet
    limit.completed(30, 2100); // mean 180 ms: 3.6× the long run
    expect(limit.limit).toBeLessThan(100);
  });
});
