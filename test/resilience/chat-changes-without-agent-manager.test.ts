/**
 * The chat-changes protocol flows one way: a participant change carries its agent's name from
 * chat-manager, so message-manager applies it — membership and system message — without asking
 * agent-manager (or chat-manager) anything. On the distributed stack: changes made while
 * message-manager is down are applied when it comes back, with every agent-manager stopped.
 */
import { describeNeeding, waitFor } from "@talk/testkit";
import { type TestAgent, newCustomer, startDistributedStack, useStack } from "../support/stacks";

describeNeeding(["rabbitmq", "postgres"])("chat changes without agent-manager", () => {
  const stack = useStack(startDistributedStack);

  const texts = async (agent: TestAgent, chatId: string): Promise<string[]> => {
    const res = await agent.api.get(`/service_agents/talk_messages?chat_id=${chatId}&page_size=100`);
    expect(res.status).toBe(200);
    return (res.body.result as { text: string }[]).map((m) => m.text);
  };

  it("with agent-manager stopped, a participant added and one removed are applied, system messages named", async () => {
    const s = stack();
    const distributed = s.distributed;
    if (!distributed) throw new Error("needs the distributed stack");
    const [owner, newcomer, leaver] = (await newCustomer(s, 3)).agents;
    const created = await owner.api.post("/service_agents/talk_chats", {
      type: "group",
      name: "Escalations",
      participants: [{ owner_type: "agent", owner_id: leaver.id }],
    });
    expect(created.status).toBe(200);
    const chatId = created.body.id as string;
    const leaving = (await owner.api.get(`/service_agents/talk_chats/${chatId}/participants`)).body.find(
      (p: { owner_id: string }) => p.owner_id === leaver.id,
    );

    // message-manager is down while the changes are made: they wait for it on their queue.
    await Promise.all(distributed.byService("message-manager").map((p) => p.stop()));
    const added = await owner.api.post(`/service_agents/talk_chats/${chatId}/participants`, {
      owner_type: "agent",
      owner_id: newcomer.id,
    });
    expect(added.status).toBe(200);
    // From here on nobody can answer for agents; a removal needs nobody.
    await Promise.all(distributed.byService("agent-manager").map((p) => p.stop()));
    const removed = await owner.api.delete(`/service_agents/talk_chats/${chatId}/participants/${leaving.id}`);
    expect(removed.status).toBe(200);

    await Promise.all(distributed.byService("message-manager").map((p) => p.start()));
    await waitFor(
      async () => (await texts(owner, chatId)).includes(`${leaver.name} left the conversation.`),
      { timeoutMs: 60_000, what: "the removal's system message" },
    );
    expect(await texts(owner, chatId)).toEqual(
      expect.arrayContaining([
        `${newcomer.name} joined the conversation.`,
        `${leaver.name} left the conversation.`,
      ]),
    );
    // The replica has both changes: the newcomer may post, the one who left may not.
    const posted = await newcomer.api.post("/service_agents/talk_messages", {
      chat_id: chatId,
      type: "normal",
      text: "Glad to help",
    });
    expect(posted.status).toBe(200);
    const refused = await leaver.api.post("/service_agents/talk_messages", {
      chat_id: chatId,
      type: "normal",
      text: "Still here?",
    });
    expect(refused.status).toBe(403);

    await Promise.all(distributed.byService("agent-manager").map((p) => p.start()));
  });
});
