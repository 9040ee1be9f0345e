/**
 * Embedded mode (one process: in-memory bus, PGlite), as `pnpm start` runs it, in its own process
 * with a fresh data folder. On `fixtures` it makes a customer, `senders` agents (the ordinary
 * scrypt path) and one chat per sender (with the next agent), and hands back tokens.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueToken } from "@talk/auth";
import { startEmbedded } from "@talk/embedded";
import { silentLogger } from "@talk/kit";
import { type ChildMessage, ready, serveParent } from "../lib/child";

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), "talk-bench-embedded-"));
  const jwtSecret = randomBytes(32).toString("hex");
  const system = await startEmbedded({
    dataDir,
    port: 0,
    logger: silentLogger,
    seed: false,
    jwtSecret,
    // the bench measures capacity, not the limits
    writeRates: { perAgentPerMinute: 100_000_000, perCustomerPerMinute: 100_000_000 },
    push: { maxConnectionsPerAgent: 100_000, maxConnectionsPerAddress: 100_000 },
    gateway: { overloadLatencyTolerancePercent: 0 }, // a closed loop at full throughput is not overload
    // an empty database folder made at install (`node start.mjs --build`), as `node start.mjs` uses
    pgliteTemplate: join(__dirname, "..", "..", "..", "services", "embedded", "pglite-template"),
  });
  const cleanup = () => rmSync(dataDir, { recursive: true, force: true });
  process.on("exit", cleanup);
  serveParent({
    async fixtures(command: ChildMessage) {
      const count = Number(command.senders);
      const customer = await system.bus.call("customer.create", { name: "Bench embedded" });
      const agents = await Promise.all(
        Array.from({ length: count + 1 }, (_, i) =>
          system.agents.createAgent(customer.id, {
            username: `bench-embedded-${i}`,
            password: "bench-agent-password",
            permission: i === 0 ? "admin" : "agent",
          }),
        ),
      );
      const senders = [];
      for (let i = 0; i < count; i++) {
        const agent = agents[i];
        const actor = { customer_id: customer.id, agent_id: agent.id };
        const { chat, revision } = await system.bus.call("chat.create", {
          actor,
          chat: {
            type: "group",
            name: `bench ${i}`,
            participants: [{ owner_type: "agent", owner_id: agents[i + 1].id }],
          },
        });
        await system.bus.call("message.awaitChatRevision", { chat_id: chat.id, revision });
        const token = issueToken(
          {
            agent_id: agent.id,
            customer_id: customer.id,
            username: agent.username,
            permission: agent.permission,
          },
          { secret: jwtSecret, ttlSeconds: 86_400 },
        );
        senders.push({ token, agentId: agent.id, customerId: customer.id, chatId: chat.id });
      }
      return { senders };
    },
  });
  ready({ url: system.url });
}

main().catch((error: unknown) => {
  process.send?.({ error: String(error) });
  process.exit(1);
});
