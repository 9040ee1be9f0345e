/** Composition root of chat-manager: store, outbox, service and RPC handlers. */
import { CHAT_CHANGES_SUBSCRIPTION, requestContextOf } from "@talk/contracts";
import { DEFAULT_WRITE_RATES, Outbox, WriteBudget, migrate } from "@talk/db";
import { writeRateConfig } from "@talk/kit";
import type { ManagerDefinition, Started, WritingManagerDeps } from "@talk/host";
import { type AgentDirectory, ChatService } from "./chat-service";
import { ChatStore } from "./store/chat-store";
import { migrations } from "./store/migrations";

export async function startChatManager({
  db,
  bus,
  logger,
  metrics,
  outboxPollMs,
  writeRates = DEFAULT_WRITE_RATES,
}: WritingManagerDeps): Promise<Started> {
  await migrate(db, migrations);
  // Chat changes go to message-manager (the chat-changes protocol), which sequences every event of
  // a chat into `events`.
  const outbox = new Outbox(db, bus, "chat-manager", logger, metrics, "chatChanges");
  await bus.declare(CHAT_CHANGES_SUBSCRIPTION);
  const agents: AgentDirectory = {
    async namesOf(customerId, agentIds, requestId) {
      const { agents } = await bus.call(
        "agent.findMany",
        { customer_id: customerId, agent_ids: agentIds },
        { requestId },
      );
      return new Map(agents.map((a) => [a.id, a.name]));
    },
  };
  const store = new ChatStore(db);
  const chats = new ChatService(store, outbox, agents);
  const context = requestContextOf;
  /** Writes are charged to the agent's and the customer's budgets first (docs/decisions/rate-limits.md). */
  const budget = new WriteBudget(db, writeRates, metrics);
  await bus.handle("chat.create", (req, ctx) =>
    budget.take(req.actor).then(() => chats.create(req.chat, context(req, ctx.requestId))),
  );
  await bus.handle("chat.list", (req) => chats.list(req.actor, req));
  await bus.handle("chat.get", (req) => chats.get(req.actor, req.chat_id));
  await bus.handle("chat.update", (req, ctx) =>
    budget.take(req.actor).then(() => chats.update(req.chat_id, req.changes, context(req, ctx.requestId))),
  );
  await bus.handle("chat.delete", (req, ctx) =>
    budget.take(req.actor).then(() => chats.delete(req.chat_id, context(req, ctx.requestId))),
  );
  await bus.handle("chat.join", (req, ctx) =>
    budget.take(req.actor).then(() => chats.join(req.chat_id, context(req, ctx.requestId))),
  );
  await bus.handle("channel.list", (req) => chats.listChannels(req.actor, req));
  await bus.handle("participant.list", (req) => chats.listParticipants(req.actor, req.chat_id));
  await bus.handle("participant.add", (req, ctx) =>
    budget
      .take(req.actor)
      .then(() => chats.addParticipant(req.chat_id, req.participant, context(req, ctx.requestId))),
  );
  await bus.handle("participant.remove", (req, ctx) =>
    budget
      .take(req.actor)
      .then(() => chats.removeParticipant(req.chat_id, req.participant_id, context(req, ctx.requestId))),
  );
  await bus.handle("chat.types", async (req) => ({ chats: await store.typesOf(req.chat_ids) }));
  await bus.handle("chat.membership", (req) => chats.membership(req.customer_id, req.chat_id, req.agent_id));
  outbox.start(outboxPollMs);
  logger.info("chat-manager serving");
  return { stop: () => outbox.stop() };
}

export const service: ManagerDefinition<typeof writeRateConfig> = {
  name: "chat-manager",
  database: true,
  config: writeRateConfig,
  start: (deps, config) =>
    startChatManager({
      ...deps,
      writeRates: {
        perAgentPerMinute: config.WRITE_RATE_PER_AGENT_PER_MINUTE,
        perCustomerPerMinute: config.WRITE_RATE_PER_CUSTOMER_PER_MINUTE,
      },
    }),
};
