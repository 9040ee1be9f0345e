/**
 * Presence of agents as agent-manager sees it, from what the push replicas report (no I/O; the
 * clock is passed in). An agent is `offline` unless some live replica holds one of its
 * WebSockets; then it shows its explicit status if it set one, else `away` after `idleMs` without
 * activity, else `online`. Connections on several replicas count once. A replica is live until
 * the time its last report said to trust it for (`expires_in_ms`); its agents then lose those
 * connections. A heartbeat replaces everything known of its replica (it is a full snapshot);
 * deltas adjust it in between. Going offline clears the explicit status.
 *
 * `changes()` tells what changed since it was last asked, once per change (not per report): five
 * tabs opening make one `online`, a tab closing among five makes nothing.
 */
import { type AgentConnections, type Presence, type PresenceStatus, formatDate } from "@talk/contracts";

export interface Explicit {
  status: Exclude<PresenceStatus, "online">;
  text: string;
}

interface AgentState {
  customerId: string;
  agentId: string;
  /** Last activity (epoch ms). */
  activeAt: number;
  explicit: Explicit | undefined;
  /** What was last announced (or first computed). */
  shown: { status: PresenceStatus; text: string; since: number } | undefined;
}

interface ReplicaState {
  expiresAt: number;
  /** agent id → open connections on the replica. */
  agents: Map<string, AgentConnections>;
}

export interface PresenceChange extends Presence {
  customer_id: string;
  /** The agent went offline with an explicit status set: it is cleared (the caller forgets it too). */
  explicitCleared: boolean;
}

export class PresenceBook {
  private readonly replicas = new Map<string, ReplicaState>();
  private readonly agents = new Map<string, AgentState>();
  /** Agents whose presence may have changed since the last `changes()`. */
  private readonly dirty = new Set<string>();
  /** When agents that are no longer connected went offline (epoch ms). */
  private readonly wentOffline = new Map<string, number>();

  constructor(private readonly idleMs: number) {}

  /** A replica's full snapshot of its agents (a `final` one: the replica is gone). */
  heartbeat(
    replica: string,
    agents: AgentConnections[],
    expiresInMs: number,
    now: number,
    final = false,
  ): void {
    const previous = this.replicas.get(replica);
    for (const agentId of previous?.agents.keys() ?? []) this.dirty.add(agentId);
    if (final) {
      this.replicas.delete(replica);
      return;
    }
    const state: ReplicaState = { expiresAt: now + expiresInMs, agents: new Map() };
    for (const entry of agents)
      if (entry.connections > 0) {
        state.agents.set(entry.agent_id, entry);
        const known = this.agent(entry, now);
        if (!previous?.agents.has(entry.agent_id)) known.activeAt = now;
        this.dirty.add(entry.agent_id);
      }
    this.replicas.set(replica, state);
  }

  /** Connection deltas from a replica (+n opened, -n closed). */
  connections(replica: string, changes: AgentConnections[], expiresInMs: number, now: number): void {
    let state = this.replicas.get(replica);
    if (!state) this.replicas.set(replica, (state = { expiresAt: 0, agents: new Map() }));
    state.expiresAt = now + expiresInMs;
    for (const change of changes) {
      const count = (state.agents.get(change.agent_id)?.connections ?? 0) + change.connections;
      if (count > 0) state.agents.set(change.agent_id, { ...change, connections: count });
      else state.agents.delete(change.agent_id);
      const agent = this.agent(change, now);
      if (change.connections > 0) agent.activeAt = now;
      this.dirty.add(change.agent_id);
    }
  }

  activity(customerId: string, agentId: string, now: number): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.customerId !== customerId) return; // not connected: activity changes nothing
    agent.activeAt = now;
    this.dirty.add(agentId);
  }

  /** Sets (or with null clears) an explicit status; `online` means none. */
  setExplicit(
    customerId: string,
    agentId: string,
    status: PresenceStatus | null,
    text: string,
    now: number,
  ): void {
    const agent = this.agent({ customer_id: customerId, agent_id: agentId }, now);
    agent.explicit = status === null || status === "online" ? undefined : { status, text };
    agent.activeAt = now;
    this.dirty.add(agentId);
  }

  /** An explicit status kept from before a restart: it counts once the agent is seen connected. */
  restoreExplicit(customerId: string, agentId: string, explicit: Explicit): void {
    const agent = this.agent({ customer_id: customerId, agent_id: agentId }, 0);
    agent.explicit = explicit;
  }

  /**
   * Forgets replicas that fell silent (and says how many); every connected agent is looked at
   * again (idleness).
   */
  tick(now: number): number {
    let expired = 0;
    for (const [replica, state] of this.replicas)
      if (state.expiresAt <= now) {
        for (const agentId of state.agents.keys()) this.dirty.add(agentId);
        this.replicas.delete(replica);
        expired++;
      }
    for (const [agentId, agent] of this.agents)
      if (agent.shown?.status === "online" && now - agent.activeAt >= this.idleMs) this.dirty.add(agentId);
    return expired;
  }

  /** The presence of each agent that changed since the last call, in the order they changed. */
  changes(now: number): PresenceChange[] {
    const changed: PresenceChange[] = [];
    for (const agentId of this.dirty) {
      const agent = this.agents.get(agentId);
      if (!agent) continue;
      const connected = this.connected(agentId);
      const explicitCleared = !connected && agent.explicit !== undefined;
      if (!connected) agent.explicit = undefined;
      const next = this.compute(agent, connected, now);
      const shown = agent.shown;
      if (!shown || shown.status !== next.status || shown.text !== next.text || explicitCleared) {
        const since = shown && shown.status === next.status && shown.text === next.text ? shown.since : now;
        agent.shown = { ...next, since };
        if (shown || next.status !== "offline" || explicitCleared)
          changed.push({ ...this.view(agent), customer_id: agent.customerId, explicitCleared });
      }
      if (!connected) {
        this.agents.delete(agentId);
        this.wentOffline.set(agentId, agent.shown?.since ?? now);
      }
    }
    this.dirty.clear();
    return changed;
  }

  /** An agent's presence now (offline, unknown since when, if nothing is known of it). */
  get(customerId: string, agentId: string): Presence {
    const agent = this.agents.get(agentId);
    if (!agent || agent.customerId !== customerId || !agent.shown)
      return { agent_id: agentId, status: "offline", text: "", tm_presence: this.offlineSince(agentId) };
    return this.view(agent);
  }

  /** How many agents show each status other than `offline` (as last announced). */
  statusCounts(): Record<Exclude<PresenceStatus, "offline">, number> {
    const counts = { online: 0, away: 0, dnd: 0 };
    for (const agent of this.agents.values()) {
      const status = agent.shown?.status;
      if (status && status !== "offline") counts[status]++;
    }
    return counts;
  }

  /** Replicas currently counted as live. */
  get liveReplicas(): number {
    return this.replicas.size;
  }

  private offlineSince(agentId: string): string | null {
    const since = this.wentOffline.get(agentId);
    return since === undefined ? null : formatDate(new Date(since));
  }

  private view(agent: AgentState): Presence {
    const shown = agent.shown ?? { status: "offline" as const, text: "", since: 0 };
    return {
      agent_id: agent.agentId,
      status: shown.status,
      text: shown.text,
      tm_presence: formatDate(new Date(shown.since)),
    };
  }

  private compute(
    agent: AgentState,
    connected: boolean,
    now: number,
  ): { status: PresenceStatus; text: string } {
    if (!connected) return { status: "offline", text: "" };
    if (agent.explicit) return { status: agent.explicit.status, text: agent.explicit.text };
    return { status: now - agent.activeAt >= this.idleMs ? "away" : "online", text: "" };
  }

  private connected(agentId: string): boolean {
    for (const state of this.replicas.values()) if (state.agents.has(agentId)) return true;
    return false;
  }

  private agent(entry: { customer_id: string; agent_id: string }, now: number): AgentState {
    let agent = this.agents.get(entry.agent_id);
    if (!agent) {
      agent = {
        customerId: entry.customer_id,
        agentId: entry.agent_id,
        activeAt: now,
        explicit: undefined,
        shown: undefined,
      };
      this.agents.set(entry.agent_id, agent);
    }
    return agent;
  }
}
