/**
 * Composition root of message-manager: the chat replica fed by chat-manager's changes (one
 * consumer at a time, in order), the message service, its RPC handlers and the outbox relay.
 */
import { CHAT_CHANGES_SUBSCRIPTION, PUSH_EVENT_STREAM, requestContextOf } from "@talk/contracts";
import { DEFAULT_WRITE_RATES, Outbox, WriteBudget, expireIdempotencyKeys, migrate } from "@talk/db";
import { writeRateConfig } from "@talk/kit";
import { errorReplyOf } from "@talk/bus";
import type { ManagerDefinition, Started, WritingManagerDeps } from "@talk/host";
import { ChannelTypeBackfill } from "./channel-types";
import { ChatChangeApplier } from "./consumers/chat-changes";
import type { FileAuthority } from "./file-lookup";
import { MessageService } from "./message-service";
import { ReadMarks } from "./read-marks";
import { type MembershipAuthority, ReplicaMembership } from "./replica-membership";
import { MessageStore } from "./store/message-store";
import { agentSeesFile } from "./store/file-references";
import { MessageMetrics } from "./metrics";
import { migrations } from "./store/migrations";
import { ReadStore } from "./store/read-store";

export async function startMessageManager({
  db,
  bus,
  logger,
  metrics,
  outboxPollMs,
  writeRates = DEFAULT_WRITE_RATES,
}: WritingManagerDeps): Promise<Started> {
  await migrate(db, migrations);
  const store = new MessageStore(db);
  // Every public event goes to talk.events and, a relay pass as one entry, to the push stream.
  const outbox = new Outbox(db, bus, "message-manager", logger, metrics, "events", PUSH_EVENT_STREAM.name);
  const authority: MembershipAuthority = {
    async membership(customerId, chatId, agentId, requestId) {
      const m = await bus.call(
        "chat.membership",
        { customer_id: customerId, chat_id: chatId, agent_id: agentId },
        { requestId },
      );
      return { exists: m.chat !== null, member: m.participant !== null, revision: m.revision };
    },
  };
  const files: FileAuthority = {
    async attach(refs, requestId) {
      return (await bus.call("file.attach", { refs }, { requestId })).files;
    },
  };
  const messages = new MessageService(store, outbox, authority, files, {
    catchUpTimeoutMs: 5000,
    metrics: metrics && new MessageMetrics(metrics),
  });
  /** Writes are charged to the agent's and the customer's budgets first (docs/decisions/rate-limits.md). */
  const budget = new WriteBudget(db, writeRates, metrics);
  const reads = new ReadStore(db);
  const readMarks = new ReadMarks(store, reads, outbox, new ReplicaMembership(store, authority, 5000));
  const applier = new ChatChangeApplier(store, outbox, logger.child({ component: "chat-changes" }), reads);

  // A send's charge is made by its batch, in the batch's first round trip (one statement for all
  // of its sends, ahead of its BEGIN, in a transaction of its own).
  await bus.handle("message.create", (req, ctx) =>
    messages.create(req.message, requestContextOf(req, ctx.requestId), budget.pending(req.actor)),
  );
  // Sends gathered by a gateway: each decided, charged and answered on its own (one reply each), and
  // all of them in the same group commit (they are queued in one tick), their charges one statement.
  await bus.handle("message.createMany", async (req, ctx) => ({
    replies: await Promise.all(
      req.sends.map(({ request_id, traceparent, tracestate, ...send }) =>
        messages
          .create(
            send.message,
            requestContextOf(send, request_id ?? ctx.requestId),
            budget.pending(send.actor),
            traceparent ? { traceparent, ...(tracestate && { tracestate }) } : undefined,
          )
          .then(
            (result) => ({ ok: true as const, result }),
            (error: unknown) => ({
              ok: false as const,
              error: errorReplyOf(error, logger, { operation: ctx.operation, requestId: request_id }),
            }),
          ),
      ),
    ),
  }));
  await bus.handle("message.list", (req, ctx) =>
    messages.list(req.actor, req.chat_id, req.parent_id, req, ctx.requestId),
  );
  await bus.handle("message.feed", (req) => messages.feed(req.actor, req));
  await bus.handle("message.get", (req, ctx) => messages.get(req.actor, req.message_id, ctx.requestId));
  await bus.handle("message.delete", (req, ctx) =>
    budget.take(req.actor).then(() => messages.delete(req.message_id, requestContextOf(req, ctx.requestId))),
  );
  await bus.handle("reaction.add", (req, ctx) =>
    budget
      .take(req.actor)
      .then(() =>
        messages.addReaction(req.message_id, req.reaction.emoji, requestContextOf(req, ctx.requestId)),
      ),
  );
  await bus.handle("reaction.remove", (req, ctx) =>
    budget
      .take(req.actor)
      .then(() =>
        messages.removeReaction(req.message_id, req.reaction.emoji, requestContextOf(req, ctx.requestId)),
      ),
  );
  await bus.handle("message.edit", (req, ctx) =>
    messages.edit(req.message_id, req.edit, requestContextOf(req, ctx.requestId)),
  );
  await bus.handle("message.history", (req, ctx) =>
    messages.history(req.actor, req.message_id, req, ctx.requestId),
  );
  await bus.handle("message.pin", (req, ctx) =>
    messages.pin(req.message_id, requestContextOf(req, ctx.requestId)),
  );
  await bus.handle("message.unpin", (req, ctx) =>
    messages.unpin(req.message_id, requestContextOf(req, ctx.requestId)),
  );
  await bus.handle("message.pins", (req, ctx) => messages.pins(req.actor, req.chat_id, req, ctx.requestId));
  await bus.handle("message.search", (req) => messages.search(req.actor, req));
  await bus.handle("read.mark", (req, ctx) =>
    readMarks.mark(req.chat_id, req.read.message_id, requestContextOf(req, ctx.requestId)),
  );
  await bus.handle("read.summaries", async (req) => ({
    summaries: await readMarks.summaries(req.actor, req.chat_ids),
  }));
  await bus.handle("read.receipts", async (req) => ({
    receipts: await reads.receipts(req.actor.customer_id, req.chat_id),
  }));
  await bus.handle("message.awaitChatRevision", async (req) => ({
    revision: await messages.awaitChatRevision(req.chat_id, req.revision),
  }));
  await bus.handle("message.fileAccess", async (req) => ({
    allowed: await agentSeesFile(db, req.customer_id, req.agent_id, req.file_id),
  }));
  await bus.handle("message.fileDeleted", async (req, ctx) => ({
    messages: await messages.fileDeleted(req.customer_id, req.file_id, ctx.requestId),
  }));
  await bus.subscribe(CHAT_CHANGES_SUBSCRIPTION, (event) => applier.apply(event));
  outbox.start(outboxPollMs);
  const backfill = new ChannelTypeBackfill(
    db,
    async (ids) => (await bus.call("chat.types", { chat_ids: ids })).chats,
    logger.child({ component: "channel-types" }),
  );
  backfill.start();
  const expiry = setInterval(() => {
    expireIdempotencyKeys(db).catch((error: unknown) =>
      logger.warn({ err: error }, "could not expire idempotency keys"),
    );
  }, 3_600_000);
  expiry.unref();
  logger.info("message-manager serving");
  return {
    async stop() {
      clearInterval(expiry);
      await backfill.stop();
      await outbox.stop();
    },
  };
}

export const service: ManagerDefinition<typeof writeRateConfig> = {
  name: "message-manager",
  database: true,
  config: writeRateConfig,
  start: (deps, config) =>
    startMessageManager({
      ...deps,
      writeRates: {
        perAgentPerMinute: config.WRITE_RATE_PER_AGENT_PER_MINUTE,
        perCustomerPerMinute: config.WRITE_RATE_PER_CUSTOMER_PER_MINUTE,
      },
    }),
};
