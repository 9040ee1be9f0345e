/** The push service's own Prometheus metrics, on the service's registry. */
import { Counter, Gauge } from "prom-client";
import type { Metrics } from "@talk/kit";

export class PushMetrics {
  private presenceAgentsCount: (() => number) | undefined;
  readonly connections: Gauge;
  readonly framesSent: Counter<"kind">;
  readonly slowConsumers: Counter;
  readonly refusedUpgrades: Counter<"reason">;
  readonly resumes: Counter<"outcome">;
  readonly streamOffset: Gauge;
  readonly lostEvents: Counter;
  readonly typingFrames: Counter<"outcome">;
  readonly typingDelivered: Counter;
  readonly presenceDelivered: Counter;
  readonly presenceAgents: Gauge;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    const presenceAgentsCount = () => this.presenceAgentsCount?.();
    this.connections = new Gauge({
      name: "talk_push_connections",
      help: "Open WebSocket connections",
      registers,
    });
    this.framesSent = new Counter({
      name: "talk_push_frames_sent_total",
      help: "Frames sent to clients, by kind (event or control)",
      labelNames: ["kind"],
      registers,
    });
    this.slowConsumers = new Counter({
      name: "talk_push_slow_consumers_total",
      help: "Connections closed because their send buffer passed the bound",
      registers,
    });
    this.refusedUpgrades = new Counter({
      name: "talk_push_refused_upgrades_total",
      help: "WebSocket upgrades refused, by reason",
      labelNames: ["reason"],
      registers,
    });
    this.resumes = new Counter({
      name: "talk_push_resumes_total",
      help: "Connections resumed from a cursor, by outcome (replayed, live, resync)",
      labelNames: ["outcome"],
      registers,
    });
    this.streamOffset = new Gauge({
      name: "talk_push_stream_offset",
      help: "Offset of the last event-stream entry this replica processed",
      registers,
    });
    this.lostEvents = new Counter({
      name: "talk_push_lost_events_total",
      help: "Chat events given up after waiting for them past the gap tolerance",
      registers,
    });
    this.typingFrames = new Counter({
      name: "talk_push_typing_frames_total",
      help: "Typing frames from clients, by outcome (relayed, throttled, refused)",
      labelNames: ["outcome"],
      registers,
    });
    this.typingDelivered = new Counter({
      name: "talk_push_typing_delivered_total",
      help: "Typing frames this replica sent to the other participants' connections",
      registers,
    });
    this.presenceDelivered = new Counter({
      name: "talk_push_presence_delivered_total",
      help: "agent_presence frames this replica sent to connections subscribed to a customer's presence",
      registers,
    });
    this.presenceAgents = new Gauge({
      name: "talk_push_presence_agents",
      help: "Agents with at least one WebSocket open on this replica (what it reports to the presence owner)",
      registers,
      collect() {
        const count = presenceAgentsCount();
        if (count !== undefined) this.set(count);
      },
    });
  }

  /** The presence-agents gauge reads `count` when scraped. */
  readPresenceAgents(count: () => number): void {
    this.presenceAgentsCount = count;
  }
}
