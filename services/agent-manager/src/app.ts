/** Composition root of agent-manager: store, service and RPC handlers over one database and bus. */
import { agentKey, migrate } from "@talk/db";
import type { ManagerDefinition, ManagerDeps, Started } from "@talk/host";
import { AgentService } from "./agent-service";
import { AgentStore } from "./store/agent-store";
import { migrations } from "./store/migrations";

export async function startAgentManager({
  db,
  bus,
  logger,
}: ManagerDeps): Promise<Started & { agents: AgentService }> {
  await migrate(db, migrations);
  const agents = new AgentService(new AgentStore(db));
  await bus.handle("agent.verifyLogin", (req) => agents.verifyLogin(req.username, req.password));
  await bus.handle("agent.get", (req) => agents.get(req.customer_id, req.agent_id));
  await bus.handle("agent.list", (req) => agents.list(req.customer_id, req));
  await bus.handle("agent.findMany", async (req) => ({
    agents: await agents.findMany(req.customer_id, req.agent_ids),
  }));
  await bus.handle("agent.create", (req) =>
    agents.createAgent(
      req.customer_id,
      req.agent,
      req.actor && agentKey(req.actor.agent_id, req.idempotency),
    ),
  );
  await bus.handle("customer.create", (req) => agents.createCustomer(req.name));
  logger.info("agent-manager serving");
  return { agents };
}

export const service: ManagerDefinition = {
  name: "agent-manager",
  database: true,
  config: {},
  start: startAgentManager,
};
