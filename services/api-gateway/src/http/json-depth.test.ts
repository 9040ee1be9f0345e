import { depthOf } from "./json-depth";

describe("the depth of a request body", () => {
  it("counts objects and arrays, not scalars", () => {
    expect(depthOf("x")).toBe(0);
    expect(depthOf({})).toBe(1);
    expect(depthOf({ medias: [{ address: { type: "tel" } }] })).toBe(4);
  });
  it("measures 100,000 levels without overflowing the stack, and stops early when asked", () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(depthOf(deep)).toBe(100_001);
    expect(depthOf(deep, 32)).toBe(33);
  });
});
