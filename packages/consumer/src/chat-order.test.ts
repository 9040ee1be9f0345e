import { ChatOrder } from "./chat-order";

const e = (seq: number) => ({ seq });

describe("one chat's order by seq", () => {
  it("starts at the first event seen, and hands events out in seq order whatever the arrival order", () => {
    const order = new ChatOrder<{ seq: number }>();
    expect(order.arrive(e(5))).toBe(true);
    expect(order.due()).toEqual(e(5));
    order.handled(e(5));
    order.arrive(e(7));
    expect(order.due()).toBeUndefined();
    expect(order.missing()).toEqual({ from: 6, to: 6 });
    order.arrive(e(6));
    expect(order.missing()).toBeUndefined();
    expect(order.due()).toEqual(e(6));
    order.handled(e(6));
    expect(order.due()).toEqual(e(7));
  });

  it("continues from a checkpoint, so the first event after a restart can reveal a gap", () => {
    const order = new ChatOrder<{ seq: number }>(3);
    order.arrive(e(6));
    expect(order.due()).toBeUndefined();
    expect(order.missing()).toEqual({ from: 4, to: 5 });
    order.skipMissing();
    expect(order.due()).toEqual(e(6));
  });

  it("calls a repeat what was handled or is already waiting", () => {
    const order = new ChatOrder<{ seq: number }>(1);
    expect(order.arrive(e(1))).toBe(false);
    expect(order.arrive(e(3))).toBe(true);
    expect(order.arrive(e(3))).toBe(false);
    expect(order.size).toBe(1);
  });

  it("does not call missing an event whose handler failed: it is redelivered", () => {
    const order = new ChatOrder<{ seq: number }>(1);
    order.arrive(e(2));
    order.arrive(e(3));
    order.failed(e(2));
    expect(order.due()).toBeUndefined();
    expect(order.missing()).toBeUndefined();
    expect(order.arrive(e(2))).toBe(true);
    expect(order.due()).toEqual(e(2));
  });
});
