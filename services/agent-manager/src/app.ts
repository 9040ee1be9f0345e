/** Composition root of agent-manager: store, service and RPC handlers over one database and bus. */
import type { Bus } from "@talk/bus";
import { migrate } from "@talk/db";
import type { Logger } from "@talk/kit";
import type { Knex } from "knex";
import { AgentService } from "./agent-service";
import { AgentStore } from "./store/agent-store";
import { migrations } from "./store/migrations";

export interface AgentManagerDeps {
  db: Knex;
  bus: Bus;
  logger: Logger;
}

export async function startAgentManager({ db, bus, logger }: AgentManagerDeps) {
  await migrate(db, migrations);
  const service = new AgentService(new AgentStore(db));
  await bus.handle("agent.verifyLogin", (req) => service.verifyLogin(req.username, req.password));
  await bus.handle("agent.get", (req) => service.get(req.customer_id, req.agent_id));
  await bus.handle("agent.list", (req) => service.list(req.customer_id, req));
  await bus.handle("agent.findMany", async (req) => ({
    agents: await service.findMany(req.customer_id, req.agent_ids),
  }));
  await bus.handle("agent.create", (req) =>
    service.createAgent(
      req.customer_id,
      req.agent,
      req.idempotency && { scope: req.customer_id, ...req.idempotency },
    ),
  );
  await bus.handle("customer.create", (req) => service.createCustomer(req.name));
  logger.info("agent-manager serving");
  return { service };
}
