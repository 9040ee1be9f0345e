import { randomUUID } from "node:crypto";
import { ChatTimeline } from "./chat-timeline";
import { ChatHistory } from "./test-events";

const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];

describe("chat timeline", () => {
  it("releases each seq once, in order: a duplicate is dropped, an early event waits for the missing one", () => {
    const chat = new ChatHistory();
    const [e1, e2, e3, e4] = [chat.created(0), chat.message(), chat.message(), chat.message()];
    const timeline = new ChatTimeline(e1);
    expect(timeline.offer(e1, 10, 0)).toEqual([e1]);
    expect(timeline.offer(e3, 11, 0)).toEqual([]); // e2 is missing: e3 waits
    expect(timeline.offer(e1, 12, 0)).toEqual([]); // duplicate
    expect(timeline.offer(e2, 13, 0)).toEqual([e2, e3]);
    expect(timeline.offer(e3, 14, 0)).toEqual([]); // duplicate of a released one
    expect(timeline.offer(e4, 15, 0)).toEqual([e4]);
    expect([1, 2, 3, 4].map((seq) => timeline.releasedAt(seq))).toEqual([10, 13, 13, 15]);
  });

  it("gives a missing event up once the events after it waited longer than the tolerance", () => {
    const chat = new ChatHistory();
    const e1 = chat.created(0);
    chat.skip();
    const [e3, e4] = [chat.message(), chat.message()];
    const timeline = new ChatTimeline(e1);
    timeline.offer(e1, 1, 1000);
    expect(timeline.offer(e3, 2, 2000)).toEqual([]);
    expect(timeline.offer(e4, 3, 2500)).toEqual([]);
    expect(timeline.expire(5000, 10_000, 4)).toEqual([]);
    expect(timeline.expire(12_001, 10_000, 5)).toEqual([e3, e4]);
    expect(timeline.releasedAt(2)).toBeUndefined();
    expect(timeline.releasedAt(3)).toBe(5);
    expect(timeline.lost).toBe(1);
    expect(timeline.waiting).toBe(false);
  });

  it("puts an agent in the window from its own chatparticipant_added to its own chatparticipant_removed", () => {
    const chat = new ChatHistory();
    const events = [
      chat.created(1),
      chat.added(alice),
      chat.message(),
      chat.added(bob),
      chat.message(),
      chat.removed(bob),
      chat.message(),
      chat.added(bob),
      chat.message(),
    ];
    const timeline = new ChatTimeline(events[0]);
    events.forEach((e, i) => timeline.offer(e, i, 0));
    const window = (agent: string) => events.map((e) => timeline.inWindow(agent, e.seq));
    expect(window(alice)).toEqual([false, true, true, true, true, true, true, true, true]);
    expect(window(bob)).toEqual([false, false, false, true, true, true, false, true, true]);
    expect(window(carol)).toEqual(events.map(() => false));
  });

  it("gives chat_created to the agents named at creation, just before their own chatparticipant_added", () => {
    const chat = new ChatHistory();
    const created = chat.created(2);
    const events = [
      created,
      chat.added(alice),
      chat.message(),
      chat.added(bob),
      chat.message(),
      chat.added(carol),
    ];
    const timeline = new ChatTimeline(created);
    events.forEach((e, i) => timeline.offer(e, i, 0));
    expect(timeline.creationFor(alice, events[1])).toBe(created);
    expect(timeline.creationFor(bob, events[3])).toBe(created);
    expect(timeline.creationFor(bob, events[1])).toBeUndefined(); // alice's event
    expect(timeline.creationFor(carol, events[5])).toBeUndefined(); // added later, not at creation
  });

  it("delivers nothing after chat_deleted", () => {
    const chat = new ChatHistory();
    const events = [chat.created(1), chat.added(alice), chat.deleted(), chat.message()];
    const timeline = new ChatTimeline(events[0]);
    events.forEach((e, i) => timeline.offer(e, i, 0));
    expect(events.map((e) => timeline.inWindow(alice, e.seq))).toEqual([false, true, true, false]);
  });

  it("when first seen mid-history, knows an agent only from its changes or from what chat-manager said", () => {
    const chat = new ChatHistory();
    chat.created(0);
    chat.added(alice);
    chat.added(bob);
    const [m4, removeBob, m6, addCarol] = [
      chat.message(),
      chat.removed(bob),
      chat.message(),
      chat.added(carol),
    ];
    const timeline = new ChatTimeline(m4);
    [m4, removeBob, m6, addCarol].forEach((e, i) => timeline.offer(e, i, 0));
    expect(timeline.complete).toBe(false);
    expect(timeline.inWindow(bob, m4.seq)).toBe(true); // removed later: was in before
    expect(timeline.inWindow(bob, m6.seq)).toBe(false);
    expect(timeline.inWindow(carol, m4.seq)).toBe(false); // added later: was not in before
    expect(timeline.unknown(alice)).toBe(true);
    expect(timeline.inWindow(alice, m4.seq)).toBeUndefined();
    timeline.assume(alice, true);
    expect(timeline.unknown(alice)).toBe(false);
    expect(timeline.inWindow(alice, m6.seq)).toBe(true);
  });
});
