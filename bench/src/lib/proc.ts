/** What the kernel says about a process: resident memory and open file descriptors (Linux /proc). */
import { readFileSync, readdirSync } from "node:fs";

export interface ProcessSample {
  rssMb: number;
  openFds: number;
}

export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
    return { rssMb: rssKb / 1024, openFds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined; // gone, or not ours to read
  }
}
