/** The gateway's own Prometheus metrics, on the service's registry. */
import type { Metrics } from "@talk/kit";
import { Counter, Gauge } from "prom-client";

export class GatewayMetrics {
  /** API requests this replica is serving right now (admission control, http/admission.ts). */
  readonly inFlight: Gauge;
  /** API requests refused at once because the replica was at its in-flight limit. */
  readonly shed: Counter;

  constructor(metrics: Metrics) {
    this.inFlight = new Gauge({
      name: "talk_http_requests_in_flight",
      help: "API requests this gateway replica is serving right now",
      registers: [metrics.registry],
    });
    this.shed = new Counter({
      name: "talk_http_requests_shed_total",
      help: "API requests refused at once with 503 OVERLOADED because the replica was at its in-flight limit",
      registers: [metrics.registry],
    });
  }
}
