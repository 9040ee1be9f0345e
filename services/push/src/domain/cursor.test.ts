import { BEFORE_FIRST, decodeCursor, encodeCursor, tagOf } from "./cursor";

describe("resume cursor", () => {
  it("round-trips an entry's place, with and without a partial frame count", () => {
    const tag = tagOf("0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(tag).toBe("0f8fad5b");
    for (const cursor of [
      { offset: 0, tag },
      { offset: 123456789, tag },
      { offset: 7, tag, frames: 1 },
      BEFORE_FIRST,
    ])
      expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it("is opaque url-safe text", () => {
    expect(encodeCursor({ offset: 42, tag: "abcdef01" })).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ["", "empty"],
    ["not a cursor!", "not base64url"],
    [Buffer.from("v2.1.abcdef01").toString("base64url"), "another version"],
    [Buffer.from("v1.x.abcdef01").toString("base64url"), "a bad offset"],
    [Buffer.from("v1.-2.").toString("base64url"), "a negative offset"],
    [Buffer.from("v1.5.").toString("base64url"), "an offset without its tag"],
    [Buffer.from("v1.5.ABCDEF01").toString("base64url"), "an upper-case tag"],
    [Buffer.from("v1.5.abcdef01.0").toString("base64url"), "a zero frame count"],
    [Buffer.from("v1.-1.abcdef01").toString("base64url"), "a tag before the first entry"],
    ["x".repeat(200), "too long"],
  ])("refuses %s (%s)", (text) => {
    expect(decodeCursor(text)).toBeUndefined();
  });
});
