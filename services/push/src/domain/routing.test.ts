import { randomUUID } from "node:crypto";
import type { EventEnvelope } from "@talk/contracts";
import { ChatTimeline } from "./chat-timeline";
import { needsMembership, route } from "./routing";
import { Subscriptions } from "./subscriptions";
import { ChatHistory } from "./test-events";
import { parseTopic, type Viewer } from "./topics";

describe("routing an event to a connection", () => {
  const customerId = randomUUID();
  const alice: Viewer = { agentId: randomUUID(), customerId, admin: true };
  const bob: Viewer = { agentId: randomUUID(), customerId, admin: false };
  const subscribed = (viewer: Viewer, ...topics: string[]) => {
    const subs = new Subscriptions(viewer);
    for (const topic of topics) subs.add(parseTopic(topic));
    return subs;
  };
  const history = () => {
    const chat = new ChatHistory(customerId);
    const events = [
      chat.created(1),
      chat.added(alice.agentId),
      chat.message(),
      chat.added(bob.agentId),
      chat.message(),
      chat.removed(bob.agentId),
      chat.message(),
    ];
    const timeline = new ChatTimeline(events[0]);
    events.forEach((e, i) => timeline.offer(e, i, 0));
    return { chat, events, timeline };
  };
  const summary = (viewer: Viewer, subs: Subscriptions, timeline: ChatTimeline, events: EventEnvelope[]) =>
    events.flatMap((event) =>
      route(viewer, subs, timeline, event).map((r) => `${r.event.type}@${r.event.seq} ${r.topic}`),
    );

  it("gives a participant its window through its agent topic, the chat's creation first", () => {
    const { chat, events, timeline } = history();
    const all = `agent_id:${alice.agentId}:chat`;
    expect(summary(alice, subscribed(alice, all), timeline, events)).toEqual([
      `chat_created@1 ${all}`,
      `chatparticipant_added@2 ${all}`,
      `chatmessage_created@3 ${all}`,
      `chatparticipant_added@4 ${all}`,
      `chatmessage_created@5 ${all}`,
      `chatparticipant_removed@6 ${all}`,
      `chatmessage_created@7 ${all}`,
    ]);
    const one = `agent_id:${bob.agentId}:chat:${chat.chatId}`;
    expect(summary(bob, subscribed(bob, one), timeline, events)).toEqual([
      `chatparticipant_added@4 ${one}`,
      `chatmessage_created@5 ${one}`,
      `chatparticipant_removed@6 ${one}`,
    ]);
  });

  it("gives chat_read only to the reader's own agent topic, and receipts to participants only", () => {
    const chat = new ChatHistory(customerId);
    const events = [chat.created(2), chat.added(alice.agentId), chat.added(bob.agentId)];
    const timeline = new ChatTimeline(events[0]);
    const reads = [chat.read("chat_read", bob.agentId), chat.read("chatparticipant_read", bob.agentId)];
    [...events, ...reads].forEach((e, i) => timeline.offer(e, i, 0));
    const bobs = `agent_id:${bob.agentId}:chat`;
    const alices = `agent_id:${alice.agentId}:chat`;
    const customers = `customer_id:${customerId}:chat`;
    expect(summary(bob, subscribed(bob, bobs), timeline, reads)).toEqual([
      `chat_read@4 ${bobs}`,
      `chatparticipant_read@5 ${bobs}`,
    ]);
    expect(summary(alice, subscribed(alice, alices), timeline, reads)).toEqual([
      `chatparticipant_read@5 ${alices}`,
    ]);
    // An admin outside a group chat sees neither its reader's mark nor its receipts.
    const outsider: Viewer = { agentId: randomUUID(), customerId, admin: true };
    expect(summary(outsider, subscribed(outsider, customers), timeline, reads)).toEqual([]);
  });

  it("sends an event once through the most specific topic when several match", () => {
    const { chat, events, timeline } = history();
    const subs = subscribed(
      alice,
      `agent_id:${alice.agentId}:chat`,
      `agent_id:${alice.agentId}:chat:${chat.chatId}`,
      `customer_id:${customerId}:chat`,
    );
    const frames = events.flatMap((e) => route(alice, subs, timeline, e));
    expect(frames.map((f) => f.event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]); // chat_created once, through the customer topic
    expect(frames[0].topic).toBe(`customer_id:${customerId}:chat`);
    expect(frames[1].topic).toBe(`agent_id:${alice.agentId}:chat:${chat.chatId}`);
  });

  it("gives an admin's customer topic every event of the customer's chats, and nothing of another customer", () => {
    const { events, timeline } = history();
    const subs = subscribed(alice, `customer_id:${customerId}:chat`);
    expect(summary(alice, subs, timeline, events)).toHaveLength(events.length);
    const stranger: Viewer = { agentId: randomUUID(), customerId: randomUUID(), admin: true };
    const theirs = subscribed(
      stranger,
      `customer_id:${stranger.customerId}:chat`,
      `agent_id:${stranger.agentId}:chat`,
    );
    expect(summary(stranger, theirs, timeline, events)).toEqual([]);
  });

  it("gives nothing to an agent that never joined", () => {
    const { events, timeline } = history();
    const carol: Viewer = { agentId: randomUUID(), customerId, admin: false };
    expect(summary(carol, subscribed(carol, `agent_id:${carol.agentId}:chat`), timeline, events)).toEqual([]);
  });

  describe("the privacy rule of the customer topic (REST's: a non-participant never sees a chat's messages)", () => {
    const customerTopic = `customer_id:${customerId}:chat`;
    const build = (type: "direct" | "group" | "talk", make: (chat: ChatHistory) => EventEnvelope[]) => {
      const chat = new ChatHistory(customerId);
      const events = [chat.created(1, type), ...make(chat)];
      const timeline = new ChatTimeline(events[0]);
      events.forEach((e, i) => timeline.offer(e, i, 0));
      return { events, timeline };
    };

    it("carries every chat-level event of a chat the admin is not in, but none of its messages", () => {
      for (const type of ["group", "direct"] as const) {
        const { events, timeline } = build(type, (chat) => [
          chat.added(bob.agentId),
          chat.message("private"),
          chat.removed(bob.agentId),
          chat.deleted(),
        ]);
        expect(summary(alice, subscribed(alice, customerTopic), timeline, events)).toEqual([
          `chat_created@1 ${customerTopic}`,
          `chatparticipant_added@2 ${customerTopic}`,
          `chatparticipant_removed@4 ${customerTopic}`,
          `chat_deleted@5 ${customerTopic}`,
        ]);
      }
    });

    it("carries a public channel's messages, as REST lets any agent of the customer read them", () => {
      const { events, timeline } = build("talk", (chat) => [chat.added(bob.agentId), chat.message()]);
      expect(summary(alice, subscribed(alice, customerTopic), timeline, events)).toHaveLength(3);
    });

    it("carries messages of the admin's own window only, whichever topics match", () => {
      const { events, timeline } = build("group", (chat) => [
        chat.added(bob.agentId),
        chat.message("before alice"),
        chat.added(alice.agentId),
        chat.message("with alice"),
        chat.removed(alice.agentId),
        chat.message("after alice"),
      ]);
      const seqs = (subs: Subscriptions) =>
        events.flatMap((e) => route(alice, subs, timeline, e)).map((r) => r.event.seq);
      expect(seqs(subscribed(alice, customerTopic))).toEqual([1, 2, 4, 5, 6]);
      expect(seqs(subscribed(alice, customerTopic, `agent_id:${alice.agentId}:chat`))).toEqual([
        1, 2, 4, 5, 6,
      ]);
    });

    it("withholds the messages of a chat first seen mid-history until its type is known", () => {
      const chat = new ChatHistory(customerId);
      chat.created(1, "talk");
      const message = chat.message();
      const timeline = new ChatTimeline(message);
      timeline.offer(message, 0, 0);
      const subs = subscribed(alice, customerTopic);
      expect(route(alice, subs, timeline, message)).toEqual([]);
      expect(needsMembership(alice, subs, timeline)).toBe(true);
      timeline.assume(alice.agentId, false);
      timeline.assumeType("talk");
      expect(needsMembership(alice, subs, timeline)).toBe(false);
      expect(route(alice, subs, timeline, message)).toEqual([{ event: message, topic: customerTopic }]);
    });
  });
});
