/** The embedded mode's demo data: one customer with three agents, created on first start only. */
import type { AgentService } from "./agent-service";

export const DEMO_AGENTS = [
  { username: "alice", password: "alice-talk-demo", name: "Alice Admin", permission: "admin" as const },
  { username: "bob", password: "bob-talk-demo", name: "Bob Builder", permission: "agent" as const },
  { username: "carol", password: "carol-talk-demo", name: "Carol Chen", permission: "agent" as const },
];

export async function seedDemo(service: AgentService) {
  if (await service.anyCustomer()) return undefined;
  const customer = await service.createCustomer("Demo Customer");
  const agents = [];
  for (const draft of DEMO_AGENTS)
    agents.push({ ...(await service.createAgent(customer.id, draft)), password: draft.password });
  return { customer, agents };
}
