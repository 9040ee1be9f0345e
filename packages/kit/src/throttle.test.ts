import { KeyedThrottle } from "./throttle";

describe("KeyedThrottle", () => {
  it("lets the first call of a key pass, then none until its interval is over, keys apart", () => {
    const throttle = new KeyedThrottle(2000);
    expect(throttle.pass("a", 0)).toBe(true);
    expect(throttle.pass("a", 1999)).toBe(false);
    expect(throttle.pass("b", 1999)).toBe(true);
    expect(throttle.pass("a", 2000)).toBe(true);
  });

  it("passes at once after a reset", () => {
    const throttle = new KeyedThrottle(2000);
    throttle.pass("a", 0);
    throttle.reset("a");
    expect(throttle.pass("a", 1)).toBe(true);
  });

  it("forgets keys whose interval is over", () => {
    const throttle = new KeyedThrottle(100);
    for (let i = 0; i < 50; i++) throttle.pass(`k${i}`, 0);
    throttle.pass("later", 500);
    expect(throttle.size).toBe(1);
  });
});
