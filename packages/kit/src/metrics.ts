/**
 * Prometheus metrics (prom-client). One registry per service instance, so several services can
 * live in one process (embedded mode) without clashing. RED metrics share these names everywhere.
 */
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  Histogram,
  type MetricObjectWithValues,
  type MetricValue,
  Registry,
  collectDefaultMetrics,
} from "prom-client";

const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<"method" | "route" | "status">;
  readonly rpcServerDuration: Histogram<"operation" | "outcome">;
  readonly rpcClientDuration: Histogram<"operation" | "outcome">;
  readonly eventHandlerDuration: Histogram<"type" | "outcome">;
  readonly eventsPublished: Counter<"type">;
  readonly eventsDeadLettered: Counter<"queue" | "type">;
  readonly writesRateLimited: Counter<"bucket">;
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
    this.writesRateLimited = new Counter({
      name: "talk_writes_rate_limited_total",
      help: "Writes refused with 429 because an agent's or a customer's write budget ran out",
      labelNames: ["bucket"],
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

/**
 * The text exposition of several services' registries as one valid document: each metric family
 * once (one HELP, one TYPE), with the samples of every registry, told apart by their `service`
 * label. Concatenating the registries' texts would repeat HELP and TYPE lines, which Prometheus
 * refuses ("second HELP line for metric name").
 */
export async function exposition(
  metrics: readonly Metrics[],
): Promise<{ contentType: string; text: string }> {
  const [first] = metrics;
  if (!first) return { contentType: Registry.PROMETHEUS_CONTENT_TYPE, text: "" };
  if (metrics.length === 1)
    return { contentType: first.registry.contentType, text: await first.registry.metrics() };
  const families = await Promise.all(metrics.map((m) => m.registry.getMetricsAsJSON()));
  // Every registry has its own `service` label, so no two samples share a label set: "sum" keeps
  // each sample as it is (the aggregators of the default metrics would drop or pick some).
  const asIs = families.map((list) =>
    list.map((family) => ({ ...family, aggregator: "sum" }) as MetricObjectWithValues<MetricValue<string>>),
  );
  const merged = AggregatorRegistry.aggregate(asIs);
  return { contentType: merged.contentType, text: await merged.metrics() };
}
