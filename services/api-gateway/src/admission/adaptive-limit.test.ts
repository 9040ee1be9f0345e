import { AdaptiveLimit } from "./adaptive-limit";

const settings = { max: 128, min: 8, queueTargetMs: 100, windowMs: 100 };

/** One window's worth of completions, all taking `ms`, ending at `end`. */
function window(limit: AdaptiveLimit, end: number, ...ms: number[]): void {
  for (const [i, took] of ms.entries()) limit.completed(took, end - 100 + ((i + 1) * 100) / ms.length);
}

describe("the adaptive admission limit", () => {
  it("starts at the configured maximum", () => {
    expect(new AdaptiveLimit(settings, 0).limit).toBe(128);
  });

  it("shrinks by a quarter per window in which even the fastest request waited longer than the target", () => {
    const limit = new AdaptiveLimit(settings, 0);
    window(limit, 100, 150, 300, 220);
    expect(limit.limit).toBe(96);
    window(limit, 200, 400, 101);
    expect(limit.limit).toBe(72);
  });

  it("keeps its size when one slow request comes with fast ones (no standing queue)", () => {
    const limit = new AdaptiveLimit(settings, 0);
    window(limit, 100, 2000, 5, 900);
    expect(limit.limit).toBe(128);
  });

  it("never goes below its minimum however long the queue stays", () => {
    const limit = new AdaptiveLimit(settings, 0);
    for (let end = 100; end <= 3000; end += 100) window(limit, end, 500);
    expect(limit.limit).toBe(8);
  });

  it("grows back by a tenth (at least one) per window without a queue, up to the maximum", () => {
    const limit = new AdaptiveLimit(settings, 0);
    for (let end = 100; end <= 3000; end += 100) window(limit, end, 500);
    window(limit, 3100, 20);
    expect(limit.limit).toBe(9);
    window(limit, 3200, 20);
    expect(limit.limit).toBe(10);
    for (let end = 3300; end <= 10_000; end += 100) window(limit, end, 20);
    expect(limit.limit).toBe(128);
  });

  it("judges a window only once it is over", () => {
    const limit = new AdaptiveLimit(settings, 0);
    limit.completed(500, 50);
    limit.completed(500, 99);
    expect(limit.limit).toBe(128);
    limit.completed(500, 100);
    expect(limit.limit).toBe(96);
  });
});
