/**
 * Explicit statuses (`dnd`, an explicit `away` or `offline`, with their text) in agent-manager's
 * database, so that they survive a restart of agent-manager while the agent stays connected.
 * Everything else about presence lives in memory (docs/decisions/presence.md).
 */
import type { PresenceStatus } from "@talk/contracts";
import type { Knex } from "knex";
import type { Explicit } from "../domain/presence-book";

export interface StoredExplicit extends Explicit {
  customer_id: string;
  agent_id: string;
}

const EXPLICIT = ["away", "dnd", "offline"] as const;
const isExplicit = (status: string): status is Explicit["status"] =>
  (EXPLICIT as readonly string[]).includes(status);

export class PresenceStore {
  constructor(private readonly db: Knex) {}

  async all(): Promise<StoredExplicit[]> {
    const rows: { customer_id: string; agent_id: string; status: string; text: string }[] = await this.db(
      "explicit_presence",
    ).select("customer_id", "agent_id", "status", "text");
    return rows.flatMap((row) => (isExplicit(row.status) ? [{ ...row, status: row.status }] : []));
  }

  /** Saves an explicit status, or with `online` (automatic presence) removes it. */
  async save(customerId: string, agentId: string, status: PresenceStatus, text: string): Promise<void> {
    if (status === "online") return this.clear(agentId);
    await this.db("explicit_presence")
      .insert({ agent_id: agentId, customer_id: customerId, status, text })
      .onConflict("agent_id")
      .merge();
  }

  async clear(agentId: string): Promise<void> {
    await this.db("explicit_presence").where({ agent_id: agentId }).delete();
  }
}
