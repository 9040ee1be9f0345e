import { EventLoopLag } from "./event-loop-lag";

describe("the event-loop lag sampler", () => {
  it("reports no lag before it has a sample", () => {
    expect(new EventLoopLag().lagMs).toBe(0);
  });

  it("reports the largest delay among its recent samples and forgets older ones", () => {
    const lag = new EventLoopLag(20, 3);
    lag.note(250);
    lag.note(2);
    lag.note(5);
    expect(lag.lagMs).toBe(250);
    lag.note(1);
    expect(lag.lagMs).toBe(5);
  });

  it("counts a timer that fired early as no delay", () => {
    const lag = new EventLoopLag(20, 3);
    lag.note(-1);
    expect(lag.lagMs).toBe(0);
  });

  it("notices a loop blocked longer than its interval", async () => {
    const lag = new EventLoopLag(10, 50).start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const until = performance.now() + 120;
      while (performance.now() < until); // block the loop
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(lag.lagMs).toBeGreaterThanOrEqual(100);
    } finally {
      lag.stop();
    }
  });
});
