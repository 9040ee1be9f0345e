/**
 * Prometheus metrics (prom-client). One registry per service instance, so several services can
 * live in one process (embedded mode) without clashing. RED metrics share these names everywhere.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<"method" | "route" | "status">;
  readonly rpcServerDuration: Histogram<"operation" | "outcome">;
  readonly rpcClientDuration: Histogram<"operation" | "outcome">;
  readonly eventHandlerDuration: Histogram<"type" | "outcome">;
  readonly eventsPublished: Counter<"type">;
  readonly eventsDeadLettered: Counter<"queue" | "type">;
  readonly outboxLag: Gauge;
  readonly outboxPending: Gauge;

  constructor(service: string, options: { defaultMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels({ service });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: "talk_http_request_duration_seconds",
      help: "HTTP requests by method, route and status code",
      labelNames: ["method", "route", "status"],
      buckets,
      registers: [this.registry],
    });
    this.rpcServerDuration = new Histogram({
      name: "talk_rpc_server_duration_seconds",
      help: "RPC requests served, by operation and outcome (ok or the error status)",
      labelNames: ["operation", "outcome"],
      buckets,
      registers: [this.registry],
    });
    this.rpcClientDuration = new Histogram({
      name: "talk_rpc_client_duration_seconds",
      help: "RPC calls made, by operation and outcome (ok or the error status)",
      labelNames: ["operation", "outcome"],
      buckets,
      registers: [this.registry],
    });
    this.eventHandlerDuration = new Histogram({
      name: "talk_event_handler_duration_seconds",
      help: "Events consumed, by event type and outcome",
      labelNames: ["type", "outcome"],
      buckets,
      registers: [this.registry],
    });
    this.eventsPublished = new Counter({
      name: "talk_events_published_total",
      help: "Events confirmed by the broker, by type",
      labelNames: ["type"],
      registers: [this.registry],
    });
    this.eventsDeadLettered = new Counter({
      name: "talk_events_dead_lettered_total",
      help: "Events moved to their queue's dead-letter queue after their handler failed every attempt",
      labelNames: ["queue", "type"],
      registers: [this.registry],
    });
    this.outboxLag = new Gauge({
      name: "talk_outbox_lag_seconds",
      help: "Age of the oldest event waiting in the outbox at the last relay pass",
      registers: [this.registry],
    });
    this.outboxPending = new Gauge({
      name: "talk_outbox_pending_events",
      help: "Events waiting in the outbox at the start of the last relay pass",
      registers: [this.registry],
    });
  }
}
