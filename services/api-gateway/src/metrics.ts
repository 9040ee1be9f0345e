/** The gateway's own Prometheus metrics, on the service's registry. */
import type { Metrics } from "@talk/kit";
import { Counter, Gauge } from "prom-client";

/** Why admission control refused a request (http/admission.ts). */
export type ShedReason = "in_flight" | "queue" | "event_loop";

export class GatewayMetrics {
  /** API requests this replica is serving right now (admission control, http/admission.ts). */
  readonly inFlight: Gauge;
  /** API requests this replica admits at once right now (the adaptive limit). */
  readonly admissionLimit: Gauge;
  /** API requests refused at once by admission control, by reason. */
  readonly shed: Counter<"reason">;

  constructor(metrics: Metrics) {
    this.inFlight = new Gauge({
      name: "talk_http_requests_in_flight",
      help: "API requests this gateway replica is serving right now",
      registers: [metrics.registry],
    });
    this.admissionLimit = new Gauge({
      name: "talk_http_admission_limit",
      help: "API requests this gateway replica admits at once right now (MAX_REQUESTS_IN_FLIGHT, lowered while requests queue)",
      registers: [metrics.registry],
    });
    this.shed = new Counter({
      name: "talk_http_requests_shed_total",
      help: "API requests refused at once with 503 OVERLOADED, by reason: in_flight (MAX_REQUESTS_IN_FLIGHT), queue (the adaptive limit), event_loop (the replica's event loop runs late)",
      labelNames: ["reason"],
      registers: [metrics.registry],
    });
  }
}
