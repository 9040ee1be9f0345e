import { randomUUID } from "node:crypto";
import { checkTopic, formatTopic, parseTopic, type Viewer } from "./topics";

const me: Viewer = { agentId: randomUUID(), customerId: randomUUID(), admin: false };
const admin: Viewer = { ...me, admin: true };
const chat = randomUUID();

describe("topics", () => {
  it("parses the four topic shapes and formats them back", () => {
    for (const text of [
      `agent_id:${me.agentId}:chat`,
      `agent_id:${me.agentId}:chat:${chat}`,
      `customer_id:${me.customerId}:chat`,
      `customer_id:${me.customerId}:chat:${chat}`,
    ])
      expect(formatTopic(parseTopic(text))).toBe(text);
    expect(parseTopic(`agent_id:${me.agentId}:chat:${chat}`)).toEqual({
      kind: "agent",
      agentId: me.agentId,
      chatId: chat,
    });
  });

  it.each([
    ["", /is not a topic/],
    ["agent_id", /is not a topic/],
    [`agent:${me.agentId}:chat`, /is not a topic/],
    [`agent_id:${me.agentId}:chats`, /is not a topic/],
    [`agent_id:${me.agentId}:chat:${chat}:extra`, /is not a topic/],
    ["agent_id:bob:chat", /"bob" where a lowercase UUID belongs/],
    [`agent_id:${me.agentId.toUpperCase()}:chat`, /where a lowercase UUID belongs/],
    [`agent_id:${me.agentId}:chat:general`, /"general" where a lowercase chat UUID belongs/],
  ])("says why %j is malformed", (text, why) => {
    const result = checkTopic(me, text);
    expect(result).toMatchObject({ status: "INVALID_ARGUMENT", reason: "TOPIC_MALFORMED" });
    expect((result as Error).message).toMatch(why);
  });

  it("lets an agent subscribe to its own agent topics only", () => {
    expect(checkTopic(me, `agent_id:${me.agentId}:chat`)).toEqual({ kind: "agent", agentId: me.agentId });
    expect(checkTopic(me, `agent_id:${randomUUID()}:chat`)).toMatchObject({
      status: "PERMISSION_DENIED",
      reason: "TOPIC_FORBIDDEN",
      message: expect.stringContaining("another agent"),
    });
  });

  it("keeps customer topics for the admins of that customer", () => {
    expect(checkTopic(me, `customer_id:${me.customerId}:chat`)).toMatchObject({
      status: "PERMISSION_DENIED",
      reason: "ADMIN_ONLY",
    });
    expect(checkTopic(admin, `customer_id:${me.customerId}:chat:${chat}`)).toEqual({
      kind: "customer",
      customerId: me.customerId,
      chatId: chat,
    });
    expect(checkTopic(admin, `customer_id:${randomUUID()}:chat`)).toMatchObject({
      status: "PERMISSION_DENIED",
      reason: "TOPIC_FORBIDDEN",
      message: expect.stringContaining("another customer"),
    });
  });

  it("lets any agent of a customer (not only admins) follow the presence of its agents, and no other customer's", () => {
    expect(checkTopic(me, `customer_id:${me.customerId}:presence`)).toEqual({
      kind: "presence",
      customerId: me.customerId,
    });
    expect(formatTopic(parseTopic(`customer_id:${me.customerId}:presence`))).toBe(
      `customer_id:${me.customerId}:presence`,
    );
    expect(checkTopic(me, `customer_id:${randomUUID()}:presence`)).toMatchObject({
      status: "PERMISSION_DENIED",
      reason: "TOPIC_FORBIDDEN",
    });
    expect(checkTopic(me, `agent_id:${me.agentId}:presence`)).toMatchObject({ reason: "TOPIC_MALFORMED" });
  });
});
