import { randomUUID } from "node:crypto";
import { ChatTimeline } from "./chat-timeline";
import { ChatHistory } from "./test-events";
import { answerFromTimeline } from "./topic-answer";
import type { Viewer } from "./topics";

describe("answering a one-chat topic from the stream", () => {
  const customerId = randomUUID();
  const member: Viewer = { agentId: randomUUID(), customerId, admin: false };
  const outsider: Viewer = { agentId: randomUUID(), customerId, admin: true };
  const timelineOf = (type: "group" | "talk", deleted = false) => {
    const chat = new ChatHistory(customerId);
    const events = [chat.created(1, type), chat.added(member.agentId), ...(deleted ? [chat.deleted()] : [])];
    const timeline = new ChatTimeline(events[0]);
    events.forEach((e, i) => timeline.offer(e, i, 0));
    return timeline;
  };
  const agentTopic = (viewer: Viewer, chatId: string) => ({
    kind: "agent" as const,
    agentId: viewer.agentId,
    chatId,
  });

  it("allows a participant, any agent on a public channel, and an admin's customer topic", () => {
    const group = timelineOf("group");
    expect(answerFromTimeline(group, agentTopic(member, group.chatId), member)).toBeUndefined();
    const channel = timelineOf("talk");
    expect(answerFromTimeline(channel, agentTopic(outsider, channel.chatId), outsider)).toBeUndefined();
    expect(
      answerFromTimeline(group, { kind: "customer", customerId, chatId: group.chatId }, outsider),
    ).toBeUndefined();
  });
  it("refuses another customer's chat and a deleted chat for certain", () => {
    const group = timelineOf("group");
    const stranger: Viewer = { agentId: randomUUID(), customerId: randomUUID(), admin: true };
    expect(answerFromTimeline(group, agentTopic(stranger, group.chatId), stranger)).toMatchObject({
      reason: "CHAT_NOT_FOUND",
    });
    const gone = timelineOf("group", true);
    expect(answerFromTimeline(gone, agentTopic(member, gone.chatId), member)).toMatchObject({
      reason: "CHAT_DELETED",
    });
  });
  it("asks chat-manager about a non-participant of a private chat (it may have just been added)", () => {
    const group = timelineOf("group");
    expect(answerFromTimeline(group, agentTopic(outsider, group.chatId), outsider)).toBe("ask");
  });
});
