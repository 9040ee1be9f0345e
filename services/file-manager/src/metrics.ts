/** file-manager's own Prometheus metrics, on the service's registry. */
import type { Metrics } from "@talk/kit";
import { Counter } from "prom-client";

export class FileMetrics {
  readonly bytes: Counter<"direction">;
  readonly uploads: Counter<"outcome">;

  constructor(metrics: Metrics) {
    this.bytes = new Counter({
      name: "talk_file_bytes_total",
      help: "File bytes stored (upload) and served (download)",
      labelNames: ["direction"],
      registers: [metrics.registry],
    });
    this.uploads = new Counter({
      name: "talk_file_uploads_total",
      help: "Uploads by outcome (ok, or the reason they failed, e.g. FILE_TOO_LARGE)",
      labelNames: ["outcome"],
      registers: [metrics.registry],
    });
  }
}
