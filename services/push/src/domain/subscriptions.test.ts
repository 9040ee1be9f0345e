import { randomUUID } from "node:crypto";
import { Subscriptions } from "./subscriptions";
import { parseTopic, type Viewer } from "./topics";

describe("subscriptions", () => {
  const viewer: Viewer = { agentId: randomUUID(), customerId: randomUUID(), admin: true };
  const chat = randomUUID();

  it("adds and removes topics, counting each once", () => {
    const subs = new Subscriptions(viewer);
    const topic = parseTopic(`agent_id:${viewer.agentId}:chat:${chat}`);
    subs.add(topic);
    subs.add(topic);
    expect(subs.size).toBe(1);
    expect(subs.coversAsAgent(chat)).toBe(true);
    expect(subs.coversAsAgent(randomUUID())).toBe(false);
    subs.remove(topic);
    expect(subs.empty).toBe(true);
    expect(subs.coversAsAgent(chat)).toBe(false);
  });

  it("picks one topic: the chat's agent topic, the agent topic, then the customer topics", () => {
    const subs = new Subscriptions(viewer);
    for (const text of [`customer_id:${viewer.customerId}:chat`, `agent_id:${viewer.agentId}:chat`])
      subs.add(parseTopic(text));
    expect(subs.topicFor(chat, true)).toBe(`agent_id:${viewer.agentId}:chat`);
    expect(subs.topicFor(chat, false)).toBe(`customer_id:${viewer.customerId}:chat`);
    subs.add(parseTopic(`agent_id:${viewer.agentId}:chat:${chat}`));
    expect(subs.topicFor(chat, true)).toBe(`agent_id:${viewer.agentId}:chat:${chat}`);
    expect(subs.creationTopicFor(chat)).toBeUndefined(); // the customer topic brought chat_created already
  });
});
