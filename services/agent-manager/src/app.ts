/** Composition root of agent-manager: store, service and RPC handlers over one database and bus. */
import { DEFAULT_WRITE_RATES, type WriteRates, WriteBudget, agentKey, migrate } from "@talk/db";
import type { ManagerDefinition, ManagerDeps, Started } from "@talk/host";
import { AgentService } from "./agent-service";
import { PresenceMetrics } from "./metrics";
import { agentManagerConfig, presenceSettingsFrom } from "./config";
import { DEFAULT_PRESENCE_SETTINGS, PresenceOwner, type PresenceSettings } from "./presence/presence-owner";
import { AgentStore } from "./store/agent-store";
import { migrations } from "./store/migrations";
import { PresenceStore } from "./store/presence-store";

export interface AgentManagerDeps extends ManagerDeps {
  /** Presence (default `DEFAULT_PRESENCE_SETTINGS`). */
  presence?: Partial<PresenceSettings>;
  /** Budgets that agent creations are charged to (default `DEFAULT_WRITE_RATES`). */
  writeRates?: WriteRates;
}

export async function startAgentManager({
  db,
  bus,
  logger,
  metrics,
  presence,
  writeRates = DEFAULT_WRITE_RATES,
}: AgentManagerDeps): Promise<Started & { agents: AgentService }> {
  await migrate(db, migrations);
  const agents = new AgentService(new AgentStore(db));
  const owner = new PresenceOwner(
    bus,
    new PresenceStore(db),
    logger.child({ component: "presence" }),
    { ...DEFAULT_PRESENCE_SETTINGS, ...presence },
    new PresenceMetrics(metrics),
  );
  await owner.start();
  await bus.handle("agent.verifyLogin", (req) => agents.verifyLogin(req.username, req.password));
  await bus.handle("agent.get", async (req) =>
    owner.decorate(await agents.get(req.customer_id, req.agent_id)),
  );
  await bus.handle("agent.list", async (req) => {
    const page = await agents.list(req.customer_id, req);
    return { ...page, result: page.result.map((agent) => owner.decorate(agent)) };
  });
  await bus.handle("agent.findMany", async (req) => ({
    agents: await agents.findMany(req.customer_id, req.agent_ids),
  }));
  /**
   * An admin's agent creations are charged to the admin's and the customer's write budgets before
   * the password is hashed (docs/decisions/rate-limits.md); creations without an actor (the seed,
   * operators' tooling over the bus) are not.
   */
  const budget = new WriteBudget(db, writeRates, metrics);
  await bus.handle("agent.create", async (req) => {
    if (req.actor) await budget.take(req.actor);
    return agents.createAgent(
      req.customer_id,
      req.agent,
      req.actor && agentKey(req.actor.agent_id, req.idempotency),
    );
  });
  await bus.handle("customer.create", (req) => agents.createCustomer(req.name));
  await bus.handle("presence.get", async (req) => ({ result: owner.get(req.customer_id, req.agent_ids) }));
  await bus.handle("presence.set", (req) =>
    owner.set(req.actor.customer_id, req.actor.agent_id, req.presence.status, req.presence.text),
  );
  logger.info("agent-manager serving");
  return { agents, stop: () => owner.stop() };
}

export const service: ManagerDefinition<typeof agentManagerConfig> = {
  name: "agent-manager",
  database: true,
  config: agentManagerConfig,
  start: (deps, config) =>
    startAgentManager({
      ...deps,
      presence: presenceSettingsFrom(config),
      writeRates: {
        perAgentPerMinute: config.WRITE_RATE_PER_AGENT_PER_MINUTE,
        perCustomerPerMinute: config.WRITE_RATE_PER_CUSTOMER_PER_MINUTE,
      },
    }),
};
