/** agent-manager's operations: login verification, agent lookups, customer and agent creation. */
import {
  type Agent,
  type Customer,
  type PageRequest,
  conflict,
  notFound,
  unauthenticated,
} from "@talk/contracts";
import type { IdempotencyKey } from "@talk/db";
import { HashingGate } from "./domain/hashing-gate";
import { DUMMY_HASH, hashPassword, verifyPassword } from "./domain/password";
import type { AgentStore } from "./store/agent-store";

export interface AgentDraft {
  username: string;
  password: string;
  name?: string;
  detail?: string;
  permission?: Agent["permission"];
}

export class AgentService {
  constructor(
    private readonly store: AgentStore,
    private readonly hashing = new HashingGate(),
  ) {}

  async verifyLogin(username: string, password: string): Promise<Agent> {
    const agent = await this.store.findByUsername(username);
    const ok = await this.hashing.run(() => verifyPassword(password, agent?.password_hash ?? DUMMY_HASH));
    if (!agent || !ok)
      throw unauthenticated("INVALID_CREDENTIALS", "The username or password is not correct.");
    const { password_hash: _hash, ...visible } = agent;
    return visible;
  }

  async get(customerId: string, agentId: string): Promise<Agent> {
    const agent = await this.store.get(customerId, agentId);
    if (!agent) throw notFound("AGENT_NOT_FOUND", `No agent ${agentId} exists in this customer.`);
    return agent;
  }

  findMany(customerId: string, agentIds: string[]): Promise<Agent[]> {
    return this.store.findMany(customerId, [...new Set(agentIds)]);
  }

  list(customerId: string, page: PageRequest) {
    return this.store.list(customerId, page);
  }

  /** False until the first customer exists (the embedded mode seeds its demo customer then). */
  anyCustomer(): Promise<boolean> {
    return this.store.anyCustomer();
  }

  createCustomer(name: string): Promise<Customer> {
    return this.store.createCustomer(name);
  }

  async createAgent(customerId: string, draft: AgentDraft, idempotency?: IdempotencyKey): Promise<Agent> {
    if (!(await this.store.customerExists(customerId)))
      throw notFound("CUSTOMER_NOT_FOUND", `No customer ${customerId} exists.`);
    const agent = await this.store.createAgent(
      {
        customer_id: customerId,
        username: draft.username,
        password_hash: await this.hashing.run(() => hashPassword(draft.password)),
        name: draft.name ?? draft.username,
        detail: draft.detail ?? "",
        permission: draft.permission ?? "agent",
      },
      idempotency,
    );
    if (!agent) throw conflict("USERNAME_TAKEN", `The username "${draft.username}" is already taken.`);
    return agent;
  }
}
