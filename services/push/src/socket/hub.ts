/**
 * The connections of one replica, by customer, and the live fan-out: what each stream entry
 * released goes to the live connections of that customer it routes to. Chats whose start the
 * stream no longer holds are first completed with chat-manager's word on the agents concerned;
 * then routing and sending happen in one go, so a replay that turns live in between misses nothing.
 */
import { needsMembership } from "../domain/routing";
import type { Released } from "../domain/event-index";
import type { ChatMembership } from "../membership";
import type { PushMetrics } from "../metrics";
import type { Connection } from "./connection";
import { EntryFrames } from "./entry-frames";

/** Told of every connection that joins or leaves the hub (presence counts them). */
export interface HubObserver {
  opened(connection: Connection): void;
  closed(connection: Connection): void;
}

export class Hub {
  private readonly all = new Set<Connection>();
  private readonly byCustomer = new Map<string, Set<Connection>>();
  private readonly observers: HubObserver[] = [];

  constructor(
    private readonly membership: ChatMembership,
    private readonly metrics: PushMetrics,
  ) {}

  observe(observer: HubObserver): void {
    this.observers.push(observer);
  }

  /** The connections of one customer. */
  ofCustomer(customerId: string): Iterable<Connection> {
    return this.byCustomer.get(customerId) ?? [];
  }

  get size(): number {
    return this.all.size;
  }

  connections(): Connection[] {
    return [...this.all];
  }

  add(connection: Connection): void {
    this.all.add(connection);
    let set = this.byCustomer.get(connection.viewer.customerId);
    if (!set) this.byCustomer.set(connection.viewer.customerId, (set = new Set()));
    set.add(connection);
    this.metrics.connections.set(this.all.size);
    for (const observer of this.observers) observer.opened(connection);
  }

  remove(connection: Connection): void {
    if (!this.all.delete(connection)) return;
    const set = this.byCustomer.get(connection.viewer.customerId);
    set?.delete(connection);
    if (set?.size === 0) this.byCustomer.delete(connection.viewer.customerId);
    this.metrics.connections.set(this.all.size);
    for (const observer of this.observers) observer.closed(connection);
  }

  /** Asks chat-manager about the agents of this customer whose window in a chat is unknown. */
  async complete(released: readonly Released[]): Promise<void> {
    for (const { timeline } of released) {
      const agents = [...(this.byCustomer.get(timeline.customerId) ?? [])]
        .filter((c) => c.open && needsMembership(c.viewer, c.subscriptions, timeline))
        .map((c) => c.viewer.agentId);
      if (agents.length > 0) await this.membership.resolve(timeline, agents);
    }
  }

  /** Sends what an entry released to the live connections it routes to (synchronous); answers to how many. */
  fanOut(offset: number, eventId: string, released: readonly Released[]): number {
    if (released.length === 0) return 0;
    const frames = new EntryFrames(offset, eventId);
    const customers = new Set(released.map((r) => r.event.customer_id));
    let sentTo = 0;
    for (const customerId of customers)
      for (const connection of this.byCustomer.get(customerId) ?? []) {
        if (connection.mode !== "live") continue;
        const routed = frames.route(connection, released);
        if (routed.length > 0) {
          frames.send(connection, routed);
          sentTo++;
        }
      }
    return sentTo;
  }
}
