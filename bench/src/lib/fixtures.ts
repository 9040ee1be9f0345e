/**
 * Fixtures on the distributed stack. Customers and chats are made through the bus, as an admin
 * tool would. Agents in bulk (fan-out needs 1,000) are written by agent-manager's own store into
 * its database with one password hash computed once — a thousand scrypt hashes through
 * `agent.create` would take half a minute on two cores. Tokens are issued with the stack's
 * secret, as the gateway's login would issue them (logins are rate limited and scrypt-bound too).
 */
import { hashPassword } from "@talk/agent-manager/src/domain/password";
import { AgentStore } from "@talk/agent-manager/src/store/agent-store";
import { issueToken } from "@talk/auth";
import { AmqpBus } from "@talk/bus";
import { connectDatabase } from "@talk/db";
import { silentLogger } from "@talk/kit";
import type { DistributedStack } from "@talk/stack";
import type { Knex } from "knex";
import { sleep } from "./stats";

export interface BenchAgent {
  id: string;
  customer_id: string;
  username: string;
  token: string;
}

export const BENCH_PASSWORD = "bench-agent-password";
const MAX_PARTICIPANTS_AT_CREATION = 500;

let run = 0;

export class Fixtures {
  private hash?: Promise<string>;

  private constructor(
    readonly bus: AmqpBus,
    private readonly agentsDb: Knex,
    private readonly jwtSecret: string,
  ) {}

  static async connect(stack: DistributedStack): Promise<Fixtures> {
    const bus = await AmqpBus.connect({
      url: stack.rabbit.url,
      service: "bench-fixtures",
      logger: silentLogger,
      rpcTimeoutMs: 30_000,
    });
    return new Fixtures(
      bus,
      connectDatabase({ url: stack.databases["agent-manager"], poolMax: 4 }),
      stack.jwtSecret,
    );
  }

  async customer(): Promise<string> {
    return (await this.bus.call("customer.create", { name: `Bench ${process.pid}-${++run}` })).id;
  }

  /** `count` agents of the customer (the first an admin), each with a token. */
  async agents(customerId: string, count: number): Promise<BenchAgent[]> {
    this.hash ??= hashPassword(BENCH_PASSWORD);
    const password_hash = await this.hash;
    const store = new AgentStore(this.agentsDb);
    const prefix = `bench-${customerId.slice(0, 8)}-${++run}`;
    const agents: BenchAgent[] = [];
    for (let i = 0; i < count; i++) {
      const username = `${prefix}-${i}`;
      const permission = i === 0 ? "admin" : "agent";
      const agent = await store.createAgent({
        customer_id: customerId,
        username,
        password_hash,
        name: `Bench agent ${i}`,
        detail: "",
        permission,
      });
      if (!agent) throw new Error(`username ${username} taken`);
      agents.push({
        id: agent.id,
        customer_id: customerId,
        username,
        token: this.token(agent.id, customerId, username, permission),
      });
    }
    return agents;
  }

  token(
    agentId: string,
    customerId: string,
    username: string,
    permission: "admin" | "agent" = "agent",
  ): string {
    return issueToken(
      { agent_id: agentId, customer_id: customerId, username, permission },
      { secret: this.jwtSecret, ttlSeconds: 86_400 },
    );
  }

  /** A group chat made by `members[0]` with every member, and message-manager caught up with it. */
  async groupChat(members: BenchAgent[], name = "bench"): Promise<string> {
    const [creator, ...others] = members;
    const actor = { customer_id: creator.customer_id, agent_id: creator.id };
    const initial = others.slice(0, MAX_PARTICIPANTS_AT_CREATION - 1);
    const { chat, revision: created } = await this.bus.call("chat.create", {
      actor,
      chat: {
        type: "group",
        name,
        participants: initial.map((a) => ({ owner_type: "agent" as const, owner_id: a.id })),
      },
    });
    const rest = others.slice(initial.length);
    let revision = created;
    // A few at a time: chat-manager serialises them on the chat anyway, the round trips overlap.
    for (let i = 0; i < rest.length; i += 8)
      for (const added of await Promise.all(
        rest.slice(i, i + 8).map((agent) =>
          this.bus.call("participant.add", {
            actor,
            chat_id: chat.id,
            participant: { owner_type: "agent", owner_id: agent.id },
          }),
        ),
      ))
        revision = Math.max(revision, added.revision);
    await this.applied(chat.id, revision);
    return chat.id;
  }

  /** Waits until message-manager has applied the chat's changes up to `revision` (bounded: 3 minutes). */
  async applied(chatId: string, revision: number): Promise<void> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      try {
        await this.bus.call("message.awaitChatRevision", { chat_id: chatId, revision });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(200);
      }
    }
  }

  async close(): Promise<void> {
    await this.bus.close();
    await this.agentsDb.destroy();
  }
}
