/**
 * Embedded mode admitting one API request at a time, for `pnpm bench:refusal` (src/refusal-cost.ts):
 * once one request is held in flight, every other is refused by admission control, and the parent
 * reads this process's CPU time around a burst of them. It logs as a service does (JSON lines,
 * one access line per request), to /dev/null.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbedded } from "@talk/embedded";
import { createLogger } from "@talk/kit";
import { ready, serveParent } from "../lib/child";

async function main() {
  const devNull = openSync("/dev/null", "w");
  const dataDir = mkdtempSync(join(tmpdir(), "talk-bench-refusal-"));
  const system = await startEmbedded({
    dataDir,
    port: 0,
    logger: createLogger({
      service: "embedded",
      destination: { write: (line: string) => writeSync(devNull, line) },
    }),
    seed: false,
    jwtSecret: randomBytes(32).toString("hex"),
    gateway: { maxRequestsInFlight: 1, overloadLatencyTolerancePercent: 0, overloadEventLoopLagMs: 0 },
    pgliteTemplate: join(__dirname, "..", "..", "..", "services", "embedded", "pglite-template"),
  });
  process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
  serveParent({
    cpu: () => ({ ...process.cpuUsage() }),
  });
  ready({ url: system.url });
}

main().catch((error: unknown) => {
  process.send?.({ error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
