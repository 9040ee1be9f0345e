/** A V8 CPU profile (`--cpu-prof`), as the profile tools read it. */
import { readFileSync } from "node:fs";

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds from the sample before (the first: from startTime). */
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export function readCpuProfile(file: string | undefined, usage: string): CpuProfile {
  if (!file) throw new Error(`usage: ${usage}`);
  return JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
}

/** `function file:line`, the file without its node_modules or workspace prefix. */
export function frameLabel({ functionName, url, lineNumber }: ProfileNode["callFrame"], gap = " "): string {
  const where = url.replace(/^.*\/(node_modules\/\.pnpm\/[^/]+\/node_modules\/|packages\/|services\/)/, "");
  return `${functionName || "(anonymous)"}${gap}${where}:${lineNumber + 1}`;
}
