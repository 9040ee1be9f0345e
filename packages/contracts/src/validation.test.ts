import { createChatBody, createMessageBody } from "./schemas/api";
import { unstorableStringAt, validate } from "./validation";

describe("the one rule for strings", () => {
  it("finds U+0000 and unpaired surrogates wherever they are, and names the field", () => {
    expect(unstorableStringAt({ name: "a\u0000b" })).toBe("name");
    expect(unstorableStringAt({ medias: [{ type: "link", link: "x\ud800" }] })).toBe("medias.0.link");
    expect(unstorableStringAt({ a: { b: ["ok", "\udc00"] } })).toBe("a.b.1");
    expect(unstorableStringAt("\ud83d")).toBe("");
  });
  it("accepts paired surrogates (emoji) and every other character", () => {
    expect(unstorableStringAt({ text: "ok 😀 \u0001 \uffff", n: 1, b: null })).toBeUndefined();
  });
  it("is part of every validation: a 400 that names the field", () => {
    expect(() => validate(createChatBody, { type: "group", name: "a\u0000" })).toThrow(
      "body.name must not contain U+0000 or an unpaired UTF-16 surrogate",
    );
    expect(() =>
      validate(createMessageBody, {
        chat_id: "00000000-0000-4000-8000-000000000000",
        type: "normal",
        medias: [{ type: "address", address: { type: "tel", target: "\udfff" } }],
      }),
    ).toThrow(/body\.medias\.0\.address\.target must not contain/);
  });
  it("checks field names too, and every element of arrays and objects", () => {
    expect(unstorableStringAt({ ok: "x", "bad\u0000key": 1 })).toBe("(a field name)");
    expect(unstorableStringAt({ a: { "b\ud800": 1 } })).toBe("a.(a field name)");
    expect(unstorableStringAt([1, true, null, { x: ["", "y", { z: "\u0000" }] }])).toBe("3.x.2.z");
    expect(unstorableStringAt([1, true, null, { x: ["", "y", { z: "z" }] }])).toBeUndefined();
  });
  it("walks values nested far deeper than the call stack without overflowing", () => {
    let deep: unknown = "\u0000";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(unstorableStringAt(deep)?.startsWith("0.0.0")).toBe(true);
    let fine: unknown = "ok";
    for (let i = 0; i < 100_000; i++) fine = { a: fine };
    expect(unstorableStringAt(fine)).toBeUndefined();
  });
});
