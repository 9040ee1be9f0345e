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

  it("calls a late loop overloaded only while it is busy with its own work", () => {
    const lag = new EventLoopLag(20, 3);
    // late because the machine's cores were busy elsewhere: the loop had little to do
    lag.note(300, 5, 315);
    lag.note(250, 5, 265);
    expect(lag.lagMs).toBe(300);
    expect(lag.utilization).toBeCloseTo(10 / 590);
    expect(lag.overloaded(200, 0.9)).toBe(false);
    expect(lag.overloaded(200, 0)).toBe(true); // lateness alone
    // late because it ran code the whole time
    lag.note(300, 320, 0);
    lag.note(250, 270, 0);
    lag.note(220, 240, 2);
    expect(lag.utilization).toBeGreaterThan(0.9);
    expect(lag.overloaded(200, 0.9)).toBe(true);
    expect(lag.overloaded(400, 0.9)).toBe(false);
  });

  it("calls a busy loop that is on time not overloaded", () => {
    const lag = new EventLoopLag(20, 3);
    for (let i = 0; i < 3; i++) lag.note(2, 20, 0);
    expect(lag.utilization).toBe(1);
    expect(lag.overloaded(200, 0.9)).toBe(false);
  });

  it("notices a loop kept busy past its interval, and that it recovers once idle", async () => {
    const lag = new EventLoopLag(10, 5).start();
    const block = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until); // run code without yielding
    };
    try {
      // busy: three turns of the loop, each running code for 120 ms
      for (let turn = 0; turn < 3; turn++) {
        await new Promise((resolve) => setImmediate(resolve));
        block(120);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(lag.lagMs).toBeGreaterThanOrEqual(100);
      expect(lag.overloaded(100, 0.9)).toBe(true);
      // then idle for a while: neither late nor busy
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(lag.overloaded(100, 0.9)).toBe(false);
    } finally {
      lag.stop();
    }
  });
});
