/**
 * What the machine says while the overload drill runs, to explain its latencies: how many
 * connections wait in a listening socket's accept queue (the kernel's /proc/net/tcp, `rx_queue`
 * of a socket in LISTEN), the load average, and how many requests each gateway refused and why
 * (its /metrics).
 */
import { readFileSync } from "node:fs";

/** Connections accepted by the kernel but not yet by the process, per listening port. */
export function acceptQueues(ports: number[]): number {
  let most = 0;
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 5 || fields[3] !== "0A") continue; // LISTEN
      const port = parseInt(fields[1].split(":")[1], 16);
      if (!ports.includes(port)) continue;
      most = Math.max(most, parseInt(fields[4].split(":")[1], 16));
    }
  }
  return most;
}

/** The 1-minute load average. */
export function loadAverage(): number {
  return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}

/** Requests refused by admission control so far, by reason, summed over the gateways. */
export async function shedByReason(gatewayUrls: string[]): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const url of gatewayUrls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const [, reason, value] of text.matchAll(
      /^talk_http_requests_shed_total\{[^}]*reason="([^"]+)"[^}]*\} (\S+)$/gm,
    ))
      totals[reason] = (totals[reason] ?? 0) + Number(value);
  }
  return totals;
}
