import { parseClientFrame } from "./client-frames";

describe("client frames", () => {
  it("accepts subscribe and unsubscribe with topics and an optional id", () => {
    expect(parseClientFrame('{"type":"subscribe","topics":["a"],"id":"1"}', false)).toEqual({
      ok: true,
      frame: { type: "subscribe", topics: ["a"], id: "1" },
    });
    expect(parseClientFrame(Buffer.from('{"type":"unsubscribe","topics":["a"]}'), false)).toMatchObject({
      ok: true,
    });
  });

  it("accepts a ping, with or without an id", () => {
    expect(parseClientFrame('{"type":"ping","id":"p1"}', false)).toEqual({
      ok: true,
      frame: { type: "ping", id: "p1" },
    });
    expect(parseClientFrame('{"type":"ping"}', false)).toEqual({ ok: true, frame: { type: "ping" } });
  });

  it.each([
    [
      "a ping with topics",
      '{"type":"ping","topics":["a"]}',
      false,
      "MALFORMED_FRAME",
      /unknown field "topics"/,
    ],
    ["binary", Buffer.from([0, 1, 2]), true, "BINARY_FRAME", /binary frames are not accepted/],
    ["not JSON", "{subscribe", false, "MALFORMED_FRAME", /not JSON/],
    ["a JSON string", '"subscribe"', false, "MALFORMED_FRAME", /frame/],
    [
      "an unknown type",
      '{"type":"publish","topics":["a"]}',
      false,
      "MALFORMED_FRAME",
      /frame\.type must be one of: subscribe, unsubscribe, ping, typing, activity/,
    ],
    ["no topics", '{"type":"subscribe"}', false, "MALFORMED_FRAME", /frame\.topics is required/],
    ["empty topics", '{"type":"subscribe","topics":[]}', false, "MALFORMED_FRAME", /frame\.topics/],
    [
      "a topic that is not a string",
      '{"type":"subscribe","topics":[1]}',
      false,
      "MALFORMED_FRAME",
      /frame\.topics\.0/,
    ],
    [
      "too many topics",
      JSON.stringify({ type: "subscribe", topics: Array(101).fill("a") }),
      false,
      "MALFORMED_FRAME",
      /at most 100 items/,
    ],
    [
      "an unknown field",
      '{"type":"subscribe","topics":["a"],"x":1}',
      false,
      "MALFORMED_FRAME",
      /unknown field "x"/,
    ],
  ])("says what is wrong with %s", (_what, data, binary, reason, message) => {
    const parsed = parseClientFrame(data, binary);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error).toMatchObject({ status: "INVALID_ARGUMENT", reason });
      expect(parsed.error.message).toMatch(message);
    }
  });

  it("accepts typing (with an optional thread) and activity frames", () => {
    const chat = "e8b2e976-f043-44c8-bb89-e214e225e813";
    expect(parseClientFrame(JSON.stringify({ type: "typing", chat_id: chat }), false)).toEqual({
      ok: true,
      frame: { type: "typing", chat_id: chat },
    });
    expect(
      parseClientFrame(JSON.stringify({ type: "typing", chat_id: chat, parent_id: chat }), false),
    ).toMatchObject({ ok: true });
    expect(parseClientFrame('{"type":"activity"}', false)).toEqual({ ok: true, frame: { type: "activity" } });
  });

  it("says what is wrong with a typing frame", () => {
    const parsed = parseClientFrame('{"type":"typing","chat_id":"nope"}', false);
    expect(parsed).toMatchObject({ ok: false, error: { reason: "MALFORMED_FRAME" } });
    if (!parsed.ok) expect(parsed.error.message).toMatch(/frame\.chat_id must be a lowercase UUID/);
  });

  it("keeps the id of a bad frame for the answer", () => {
    expect(parseClientFrame('{"type":"nope","topics":["a"],"id":7}', false)).toMatchObject({
      ok: false,
      id: 7,
    });
  });
});
