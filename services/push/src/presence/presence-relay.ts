/**
 * Presence changes to WebSocket clients: this replica listens to the owner's `agent_presence`
 * signals and sends each one that is news (see `PresenceFilter`) as an `agent_presence` frame to
 * its connections subscribed to `customer_id:<customer>:presence` of that agent's customer.
 */
import type { Bus, SignalListener } from "@talk/bus";
import type { PresenceFrame, Signal } from "@talk/contracts";
import { PresenceFilter } from "../domain/presence-filter";
import type { PushMetrics } from "../metrics";
import type { Hub } from "../socket/hub";

export class PresenceRelay {
  readonly filter = new PresenceFilter();
  private listener: SignalListener | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly hub: Hub,
    private readonly metrics: PushMetrics,
  ) {}

  async start(): Promise<void> {
    this.listener = await this.bus.listen(["agent_presence.#"], (signal) => this.relay(signal));
  }

  async stop(): Promise<void> {
    await this.listener?.stop();
  }

  private relay(signal: Signal): void {
    if (signal.type !== "agent_presence") return;
    const { customer_id: customerId, ...presence } = signal.data;
    if (!this.filter.admit(presence)) return;
    const topic = `customer_id:${customerId}:presence`;
    const frame: PresenceFrame = { type: "agent_presence", data: presence, topic };
    const text = JSON.stringify(frame); // once: every watcher gets the same bytes
    for (const connection of this.hub.ofCustomer(customerId))
      if (connection.open && connection.subscriptions.presence) {
        connection.sendSerialized(text);
        this.metrics.presenceDelivered.inc();
      }
  }
}
