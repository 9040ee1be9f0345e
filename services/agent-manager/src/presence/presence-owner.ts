/**
 * agent-manager as the owner of presence (docs/decisions/presence.md): it listens to what the push
 * replicas and gateways report (`presence.*` signals), keeps the `PresenceBook`, expires silent
 * replicas on a tick, and announces each change as an `agent_presence` signal, which the push
 * replicas relay to subscribers. Every agent-manager replica listens to everything and keeps the
 * same book, so any of them answers reads; an explicit status set through one reaches the others
 * as a `presence.explicit` signal and is kept in the database.
 */
import { randomUUID } from "node:crypto";
import type { Bus, SignalListener } from "@talk/bus";
import type { Agent, Presence, PresenceStatus, Signal } from "@talk/contracts";
import type { Logger } from "@talk/kit";
import { PresenceBook } from "../domain/presence-book";
import type { PresenceMetrics } from "../metrics";
import type { PresenceStore } from "../store/presence-store";

export interface PresenceSettings {
  /** Without activity for this long, a connected agent turns `away`. */
  idleMs: number;
  /** How often silent replicas and idle agents are looked for. */
  tickMs: number;
}

export const DEFAULT_PRESENCE_SETTINGS: PresenceSettings = { idleMs: 300_000, tickMs: 500 };

export class PresenceOwner {
  private readonly book: PresenceBook;
  private readonly id = randomUUID();
  private listener: SignalListener | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly store: PresenceStore,
    private readonly logger: Logger,
    private readonly settings: PresenceSettings,
    private readonly metrics: PresenceMetrics,
    private readonly clock: () => number = Date.now,
  ) {
    this.book = new PresenceBook(settings.idleMs);
    metrics.read(this.book);
  }

  /** Restores explicit statuses, listens, then asks the push replicas for their snapshots. */
  async start(): Promise<void> {
    for (const saved of await this.store.all())
      this.book.restoreExplicit(saved.customer_id, saved.agent_id, saved);
    this.listener = await this.bus.listen(["presence.#"], (signal) => this.apply(signal));
    this.timer = setInterval(() => {
      const expired = this.book.tick(this.clock());
      if (expired > 0) {
        this.metrics.replicasExpired.inc(expired);
        this.logger.warn({ replicas: expired }, "Push replicas fell silent; their connections expired");
      }
      this.announce();
    }, this.settings.tickMs);
    this.timer.unref();
    this.bus.signal({ type: "presence.sync", data: { owner: this.id } });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.listener?.stop();
  }

  get(customerId: string, agentIds: string[]): Presence[] {
    return [...new Set(agentIds)].map((agentId) => this.book.get(customerId, agentId));
  }

  /** The agent with its presence. */
  decorate(agent: Agent): Agent {
    const { status, text, tm_presence } = this.book.get(agent.customer_id, agent.id);
    return { ...agent, presence: { status, text }, tm_presence };
  }

  async set(customerId: string, agentId: string, status: PresenceStatus, text = ""): Promise<Presence> {
    await this.store.save(customerId, agentId, status, text);
    const explicit = { customer_id: customerId, agent_id: agentId, status, text };
    this.book.setExplicit(customerId, agentId, status, text, this.clock());
    this.announce();
    this.bus.signal({ type: "presence.explicit", data: explicit });
    return this.book.get(customerId, agentId);
  }

  private apply(signal: Signal): void {
    const now = this.clock();
    switch (signal.type) {
      case "presence.connections":
        this.book.connections(signal.data.replica, signal.data.changes, signal.data.expires_in_ms, now);
        break;
      case "presence.heartbeat": {
        const { replica, agents, expires_in_ms, final } = signal.data;
        this.book.heartbeat(replica, agents, expires_in_ms, now, final);
        break;
      }
      case "presence.activity":
        this.book.activity(signal.data.customer_id, signal.data.agent_id, now);
        break;
      case "presence.explicit": {
        const { customer_id, agent_id, status, text } = signal.data;
        this.book.setExplicit(customer_id, agent_id, status, text, now);
        break;
      }
      default:
        return;
    }
    this.announce();
  }

  /** Announces what changed; an explicit status cleared by going offline leaves the database too. */
  private announce(): void {
    for (const { explicitCleared, ...change } of this.book.changes(this.clock())) {
      this.bus.signal({ type: "agent_presence", data: change });
      this.metrics.changes.inc({ status: change.status });
      if (explicitCleared)
        this.store
          .clear(change.agent_id)
          .catch((err: unknown) =>
            this.logger.warn({ err, agentId: change.agent_id }, "Could not forget an explicit status"),
          );
    }
  }
}
