/**
 * The project's bus alone: an AmqpBus serving `agent.get` with a constant agent — no database —
 * twice, on quorum request queues (the bus's default, as deployed) and on classic ones, each in its
 * own namespace so it shares the broker with the stack without touching it. Called from the bench
 * through another AmqpBus, it measures what the bus adds over bare amqplib (B2, on the same queue
 * type): schema validation of request and response, error envelopes, headers, metrics.
 */
import { AmqpBus } from "@talk/bus";
import { BUS_ECHO_NAMESPACES, B2_QUEUE_TYPES } from "../lib/amqp-rpc";
import { ready, serveParent } from "../lib/child";

async function main() {
  const agent = {
    id: "6f0a5d8e-1b7a-4c1e-9a7e-2d4f5b6c7d8e",
    customer_id: "0b4f2c3d-5e6f-4a1b-8c9d-0e1f2a3b4c5d",
    username: "echo",
    name: "Echo",
    detail: "",
    permission: "agent" as const,
    tm_create: "2026-01-01 00:00:00.000000",
    tm_update: "2026-01-01 00:00:00.000000",
    tm_delete: "9999-01-01 00:00:00.000000",
  };
  for (const type of B2_QUEUE_TYPES) {
    const bus = await AmqpBus.connect({
      url: process.env.RABBITMQ_URL ?? "",
      service: "bench-bus-echo",
      namespace: BUS_ECHO_NAMESPACES[type],
      queues: { type },
    });
    await bus.handle("agent.get", async (request) => ({
      ...agent,
      id: request.agent_id,
      customer_id: request.customer_id,
    }));
  }
  ready({});
  serveParent({});
}

main().catch((error: unknown) => {
  process.send?.({ error: String(error) });
  process.exit(1);
});
