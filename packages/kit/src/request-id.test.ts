import { adoptRequestId } from "./request-id";

describe("adopting a caller's request id", () => {
  it("keeps a short plain id", () => {
    expect(adoptRequestId("trace-abc_1.2:3")).toBe("trace-abc_1.2:3");
  });
  it("replaces a missing, long or unsafe one with a fresh UUID", () => {
    for (const incoming of [undefined, "", "x".repeat(129), "a b", "evil\r\nSet-Cookie: x", "<script>"])
      expect(adoptRequestId(incoming)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
