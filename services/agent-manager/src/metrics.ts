/** agent-manager's own Prometheus metrics (presence, which it owns), on the service's registry. */
import { Counter, Gauge } from "prom-client";
import type { Metrics } from "@talk/kit";

/** What the gauges read when scraped: the presence owner's book. */
export interface PresenceSource {
  statusCounts(): Record<string, number>;
  readonly liveReplicas: number;
}

export class PresenceMetrics {
  private source: PresenceSource | undefined;
  readonly agents: Gauge<"status">;
  readonly changes: Counter<"status">;
  readonly replicas: Gauge;
  readonly replicasExpired: Counter;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    const source = () => this.source;
    this.agents = new Gauge({
      name: "talk_presence_agents",
      help: "Agents connected somewhere, by the presence status last announced (online, away, dnd)",
      labelNames: ["status"],
      registers,
      collect() {
        for (const [status, count] of Object.entries(source()?.statusCounts() ?? {}))
          this.set({ status }, count);
      },
    });
    this.changes = new Counter({
      name: "talk_presence_changes_total",
      help: "Presence changes announced to the push replicas, by the new status",
      labelNames: ["status"],
      registers,
    });
    this.replicas = new Gauge({
      name: "talk_presence_push_replicas",
      help: "Push replicas whose reports the presence owner currently trusts",
      registers,
      collect() {
        const book = source();
        if (book) this.set(book.liveReplicas);
      },
    });
    this.replicasExpired = new Counter({
      name: "talk_presence_push_replicas_expired_total",
      help: "Push replicas that fell silent past their expiry (killed without a goodbye); their agents lost those connections",
      registers,
    });
  }

  /** The gauges read `book` when scraped. */
  read(book: PresenceSource): void {
    this.source = book;
  }
}
