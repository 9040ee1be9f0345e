import { randomUUID } from "node:crypto";
import type { EventEnvelope } from "@talk/contracts";
import { EventIndex } from "./event-index";
import { ChatHistory } from "./test-events";

describe("event index", () => {
  const ids = (released: { event: EventEnvelope }[]) => released.map((r) => r.event.id);

  it("tells which events each entry released, the same way for entries read again later", () => {
    const index = new EventIndex({ gapToleranceMs: 10_000 });
    const chat = new ChatHistory();
    const other = new ChatHistory();
    const [c1, c2, c3] = [chat.created(0), chat.message(), chat.message()];
    const o1 = other.created(0);
    const stream = [c1, o1, c3, c1, c2, c3].map((event, offset) => ({
      offset: offset * 2,
      event,
      timestamp: 0,
    }));
    for (const entry of stream) index.ingest(entry);
    expect(stream.map((entry) => ids(index.releasedBy(entry)))).toEqual([
      [c1.id],
      [o1.id],
      [],
      [],
      [c2.id, c3.id],
      [],
    ]);
  });

  it("never lets a chat id seen under one customer carry another customer's events", () => {
    const index = new EventIndex({ gapToleranceMs: 10_000 });
    const chat = new ChatHistory();
    const created = chat.created(0);
    const forged = { ...chat.message(), customer_id: randomUUID() } as EventEnvelope;
    index.ingest({ offset: 0, event: created, timestamp: 0 });
    index.ingest({ offset: 1, event: forged, timestamp: 0 });
    expect(index.releasedBy({ offset: 1, event: forged })).toEqual([]);
    expect(index.foreign).toBe(1);
  });

  it("releases events stuck behind a lost one at the first entry past the tolerance, whatever its chat", () => {
    const index = new EventIndex({ gapToleranceMs: 1000 });
    const chat = new ChatHistory();
    const other = new ChatHistory();
    const c1 = chat.created(0);
    chat.skip();
    const c3 = chat.message();
    const [o1, o2] = [other.created(0), other.message()];
    const stream = [
      { offset: 0, event: c1, timestamp: 0 },
      { offset: 1, event: c3, timestamp: 100 },
      { offset: 2, event: o1, timestamp: 500 },
      { offset: 3, event: o2, timestamp: 1200 },
    ];
    for (const entry of stream) index.ingest(entry);
    expect(stream.map((entry) => ids(index.releasedBy(entry)))).toEqual([
      [c1.id],
      [],
      [o1.id],
      [o2.id, c3.id],
    ]);
  });

  it("forgets chats quiet for longer than the horizon, and counts events given up on", () => {
    const index = new EventIndex({ gapToleranceMs: 1000, horizonMs: 60_000 });
    const quiet = new ChatHistory();
    const busy = new ChatHistory();
    index.ingest({ offset: 0, event: quiet.created(0), timestamp: 0 });
    busy.created(0);
    busy.skip();
    index.ingest({ offset: 1, event: busy.message(), timestamp: 0 }); // first seen mid-history: no gap
    busy.skip();
    index.ingest({ offset: 2, event: busy.message(), timestamp: 10 }); // waits for the skipped one
    for (let offset = 3; offset < 1100; offset++)
      index.ingest({ offset, event: busy.message(), timestamp: 120_000 + offset });
    expect(index.timeline(quiet.chatId)).toBeUndefined();
    expect(index.timeline(busy.chatId)).toBeDefined();
    expect(index.lost).toBe(1);
    expect(index.forgottenBefore).toBeGreaterThan(0);
  });
});
