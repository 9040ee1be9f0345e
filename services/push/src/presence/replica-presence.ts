/**
 * This replica's part in presence (docs/decisions/presence.md): it counts the open WebSockets of
 * each agent here and tells the presence owner (agent-manager) through signals — connection deltas
 * batched over a few milliseconds, a heartbeat with the full snapshot every `heartbeatMs` (and at
 * once when an owner asks, after it starts), a final empty heartbeat when the replica stops, and
 * the agents' activity (at most once per agent per `ACTIVITY_REPORT_MS`). Each report says how
 * long to trust it (`expiryMs`): a replica killed without a word is expired by the owner then.
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { Bus, SignalListener } from "@talk/bus";
import { ACTIVITY_REPORT_MS, type AgentConnections, type Signal } from "@talk/contracts";
import { KeyedThrottle, type Logger } from "@talk/kit";
import type { Viewer } from "../domain/topics";

export interface ReplicaPresenceSettings {
  /** Time between two heartbeats. */
  heartbeatMs: number;
  /** How long the owner trusts a report of this replica (several heartbeats). */
  expiryMs: number;
}

/** Deltas wait this long for more, so that many connections opening at once make one signal. */
const BATCH_MS = 10;

export class ReplicaPresence {
  readonly replica = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  /** agent id → its connections here. */
  private readonly here = new Map<string, AgentConnections>();
  private pending = new Map<string, AgentConnections>();
  private batch: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private listener: SignalListener | undefined;
  private readonly activityThrottle = new KeyedThrottle(ACTIVITY_REPORT_MS);
  private stopped = false;

  constructor(
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly settings: ReplicaPresenceSettings,
  ) {}

  async start(): Promise<void> {
    this.listener = await this.bus.listen(["presence.sync"], () => this.beat());
    this.heartbeat = setInterval(() => this.beat(), this.settings.heartbeatMs);
    this.heartbeat.unref();
    this.beat();
  }

  /** A WebSocket of this agent opened here. */
  opened(viewer: Viewer): void {
    this.change(viewer, +1);
  }

  /** A WebSocket of this agent closed here. */
  closed(viewer: Viewer): void {
    this.change(viewer, -1);
  }

  /** The agent did something (an activity or typing frame). */
  activity(viewer: Viewer): void {
    if (!this.activityThrottle.pass(viewer.agentId)) return;
    this.send({
      type: "presence.activity",
      data: { customer_id: viewer.customerId, agent_id: viewer.agentId },
    });
  }

  /** Agents with a connection here. */
  get agents(): number {
    return this.here.size;
  }

  /** Says goodbye (the owner drops this replica's agents at once) and stops reporting. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.batch);
    await this.listener?.stop();
    this.send({
      type: "presence.heartbeat",
      data: { replica: this.replica, expires_in_ms: this.settings.expiryMs, agents: [], final: true },
    });
  }

  private change(viewer: Viewer, delta: number): void {
    const key = viewer.agentId;
    const current = this.here.get(key)?.connections ?? 0;
    const next = current + delta;
    if (next > 0)
      this.here.set(key, { customer_id: viewer.customerId, agent_id: viewer.agentId, connections: next });
    else this.here.delete(key);
    const pending = this.pending.get(key);
    if (pending) pending.connections += delta;
    else
      this.pending.set(key, { customer_id: viewer.customerId, agent_id: viewer.agentId, connections: delta });
    this.batch ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  private flush(): void {
    this.batch = undefined;
    const changes = [...this.pending.values()].filter((c) => c.connections !== 0);
    this.pending = new Map();
    if (changes.length === 0 || this.stopped) return;
    this.send({
      type: "presence.connections",
      data: { replica: this.replica, expires_in_ms: this.settings.expiryMs, changes },
    });
  }

  /** The full snapshot: it covers the deltas not sent yet, so they are dropped. */
  private beat(): void {
    if (this.stopped) return;
    clearTimeout(this.batch);
    this.batch = undefined;
    this.pending = new Map();
    this.send({
      type: "presence.heartbeat",
      data: { replica: this.replica, expires_in_ms: this.settings.expiryMs, agents: [...this.here.values()] },
    });
  }

  private send(signal: Signal): void {
    try {
      this.bus.signal(signal);
    } catch (err) {
      this.logger.debug({ err, type: signal.type }, "Could not send a presence signal");
    }
  }
}
