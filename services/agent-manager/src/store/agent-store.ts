/** Customers and agents in agent-manager's own database. */
import { randomUUID } from "node:crypto";
import { type Agent, type Customer, type PageRequest, normalizeTimestamp } from "@talk/contracts";
import { type IdempotencyKey, nextTimestamp, oncePerKey, paginate } from "@talk/db";
import type { Knex } from "knex";

interface AgentRow {
  id: string;
  customer_id: string;
  username: string;
  password_hash: string;
  name: string;
  detail: string;
  permission: string;
  tm_create: string;
  tm_update: string;
  tm_delete: string;
}

export interface NewAgent {
  customer_id: string;
  username: string;
  password_hash: string;
  name: string;
  detail: string;
  permission: Agent["permission"];
}

const toAgent = (row: AgentRow): Agent => ({
  id: row.id,
  customer_id: row.customer_id,
  username: row.username,
  name: row.name,
  detail: row.detail,
  permission: row.permission === "admin" ? "admin" : "agent",
  tm_create: normalizeTimestamp(row.tm_create),
  tm_update: normalizeTimestamp(row.tm_update),
  tm_delete: normalizeTimestamp(row.tm_delete),
});

export class AgentStore {
  constructor(private readonly db: Knex) {}

  async createCustomer(name: string): Promise<Customer> {
    const id = randomUUID();
    const tm_create = await nextTimestamp(this.db, null);
    await this.db("customers").insert({ id, name, tm_create });
    return { id, name, tm_create: normalizeTimestamp(tm_create) };
  }

  async customerExists(id: string): Promise<boolean> {
    return Boolean(await this.db("customers").where({ id }).first("id"));
  }

  async anyCustomer(): Promise<boolean> {
    return Boolean(await this.db("customers").first("id"));
  }

  /** Returns undefined when the username is taken. */
  async createAgent(agent: NewAgent, idempotency?: IdempotencyKey): Promise<Agent | undefined> {
    return this.db.transaction((trx) => oncePerKey(trx, idempotency, () => this.insertAgent(trx, agent)));
  }

  private async insertAgent(trx: Knex.Transaction, agent: NewAgent): Promise<Agent | undefined> {
    {
      const customer = await trx("customers")
        .where({ id: agent.customer_id })
        .forUpdate()
        .first("agent_clock");
      if (!customer) throw new Error(`customer ${agent.customer_id} does not exist`);
      const tm = await nextTimestamp(trx, customer.agent_clock);
      await trx("customers").where({ id: agent.customer_id }).update({ agent_clock: tm });
      const row = { id: randomUUID(), ...agent, tm_create: tm, tm_update: tm };
      const inserted: AgentRow[] = await trx("agents")
        .insert(row)
        .onConflict("username")
        .ignore()
        .returning("*");
      return inserted[0] ? toAgent(inserted[0]) : undefined;
    }
  }

  async findByUsername(username: string): Promise<(Agent & { password_hash: string }) | undefined> {
    const row: AgentRow | undefined = await this.db("agents").where({ username }).first();
    return row ? { ...toAgent(row), password_hash: row.password_hash } : undefined;
  }

  async get(customerId: string, agentId: string): Promise<Agent | undefined> {
    const row: AgentRow | undefined = await this.db("agents")
      .where({ id: agentId, customer_id: customerId })
      .first();
    return row ? toAgent(row) : undefined;
  }

  async findMany(customerId: string, agentIds: string[]): Promise<Agent[]> {
    if (agentIds.length === 0) return [];
    const rows: AgentRow[] = await this.db("agents")
      .where({ customer_id: customerId })
      .whereIn("id", agentIds);
    return rows.map(toAgent);
  }

  async list(customerId: string, page: PageRequest) {
    const { rows, next_page_token } = await paginate<AgentRow>(
      this.db("agents").where({ customer_id: customerId }),
      page,
    );
    return { result: rows.map(toAgent), next_page_token };
  }
}
