/**
 * Connections per agent and per client address, on one replica: one agent (a leaked token, a
 * reconnect loop) or one address cannot take a replica's whole connection budget. Counted per
 * replica — a client reconnecting to another replica counts there — so the effective bound is
 * replicas × the setting.
 */
import { AppError } from "@talk/contracts";

export interface ConnectionKey {
  agentId: string;
  address: string;
}

export class ConnectionCaps {
  private readonly byAgent = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly limits: { perAgent: number; perAddress: number }) {}

  /** Counts the connection in, or says why it is refused (429) without counting it. */
  admit({ agentId, address }: ConnectionKey): AppError | undefined {
    if ((this.byAgent.get(agentId) ?? 0) >= this.limits.perAgent)
      return new AppError(
        "RESOURCE_EXHAUSTED",
        "TOO_MANY_CONNECTIONS_FOR_AGENT",
        `An agent may hold at most ${this.limits.perAgent} WebSocket connections to a replica; close some first.`,
      );
    if ((this.byAddress.get(address) ?? 0) >= this.limits.perAddress)
      return new AppError(
        "RESOURCE_EXHAUSTED",
        "TOO_MANY_CONNECTIONS_FROM_ADDRESS",
        `At most ${this.limits.perAddress} WebSocket connections from one address to a replica; close some first.`,
      );
    bump(this.byAgent, agentId, 1);
    bump(this.byAddress, address, 1);
    return undefined;
  }

  release({ agentId, address }: ConnectionKey): void {
    bump(this.byAgent, agentId, -1);
    bump(this.byAddress, address, -1);
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}
