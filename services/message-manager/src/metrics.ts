/** message-manager's own Prometheus metrics, on the service's registry. */
import { Histogram } from "prom-client";
import type { Metrics } from "@talk/kit";

export class MessageMetrics {
  /** Sends written together by one group commit (see message-sends.ts). */
  readonly sendBatchSize: Histogram;

  constructor(metrics: Metrics) {
    this.sendBatchSize = new Histogram({
      name: "talk_message_send_batch_size",
      help: "Sends written by one group-commit transaction",
      buckets: [1, 2, 4, 8, 16, 32, 64, 100],
      registers: [metrics.registry],
    });
  }
}
