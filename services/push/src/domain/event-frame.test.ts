import { compile, serverFrameSchema } from "@talk/contracts";
import { EventFrame } from "./event-frame";
import { ChatHistory } from "./test-events";

describe("event frame", () => {
  const event = new ChatHistory().message('Quotes " and \\ and unicode ✓ survive');

  it("is the documented frame, valid against the server frame schema", () => {
    const frame = JSON.parse(new EventFrame(event).bytes("agent_id:x:chat", "abc").toString("utf8"));
    expect(frame).toEqual({
      type: event.type,
      data: event.data,
      topic: "agent_id:x:chat",
      seq: event.seq,
      cursor: "abc",
    });
    expect(compile(serverFrameSchema)({ ...frame, topic: "agent_id:x:chat" })).toBe(true);
  });

  it("serializes the event once, however many connections and topics it goes to", () => {
    const stringify = jest.spyOn(JSON, "stringify");
    const frame = new EventFrame(event);
    const calls = stringify.mock.calls.length;
    const buffers = Array.from({ length: 100 }, (_, i) => frame.bytes(`agent_id:${i % 3}:chat`, "c1"));
    expect(stringify.mock.calls.length).toBe(calls);
    expect(new Set(buffers).size).toBe(3); // one buffer per distinct topic
    stringify.mockRestore();
  });
});
