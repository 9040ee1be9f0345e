/**
 * `tsx src/profile-stretches.ts <file.cpuprofile> [min-ms]`: how long a process's event loop runs
 * without a break, from a V8 CPU profile — a stretch is a run of samples that are not `(idle)`, so
 * it is the time a request arriving meanwhile waits before the loop can read it (wall time: a
 * stretch also holds the moments its thread waited for a core). Prints the distribution of stretch
 * lengths, the share of busy time spent in long ones, and what fills those longer than `min-ms`
 * (default 15): self time by function and by the three frames under the root (the entry: an HTTP
 * request, a resolved promise, a timer…). For the overload drill's `--cpu-prof` profiles.
 */
import { frameLabel, readCpuProfile, type ProfileNode as Node } from "./lib/cpu-profile";

interface Stretch {
  ms: number;
  samples: number[];
  deltas: number[];
}

const [file, minArg] = process.argv.slice(2);
const min = Number(minArg ?? 15);
const profile = readCpuProfile(file, "profile-stretches.ts <file.cpuprofile> [min-ms]");
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (id: number) => frameLabel((byId.get(id) as Node).callFrame);

const stretches: Stretch[] = [];
let current: Stretch | undefined;
profile.samples.forEach((id, i) => {
  const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000; // until the next sample
  if ((byId.get(id) as Node).callFrame.functionName === "(idle)") {
    if (current) stretches.push(current);
    current = undefined;
    return;
  }
  current ??= { ms: 0, samples: [], deltas: [] };
  current.ms += ms;
  current.samples.push(id);
  current.deltas.push(ms);
});
if (current) stretches.push(current);

const out = (line: string) => process.stdout.write(`${line}\n`);
const wall = (profile.endTime - profile.startTime) / 1000;
const busy = stretches.reduce((sum, s) => sum + s.ms, 0);
const lengths = stretches.map((s) => s.ms).sort((a, b) => a - b);
const q = (f: number) =>
  (lengths[Math.min(lengths.length - 1, Math.floor(f * lengths.length))] ?? 0).toFixed(1);
out(
  `${file}: ${(wall / 1000).toFixed(1)} s, busy ${((100 * busy) / wall).toFixed(1)} %, ${stretches.length} stretches: p50 ${q(0.5)} · p90 ${q(0.9)} · p99 ${q(0.99)} · max ${q(1)} ms`,
);
for (const over of [5, 10, 20, 50, 100]) {
  const long = stretches.filter((s) => s.ms > over);
  const ms = long.reduce((sum, s) => sum + s.ms, 0);
  out(`  stretches over ${over} ms: ${long.length}, ${((100 * ms) / busy).toFixed(1)} % of the busy time`);
}
const long = stretches.filter((s) => s.ms > min);
const longMs = long.reduce((sum, s) => sum + s.ms, 0);
const self = new Map<string, number>();
const entry = new Map<string, number>();
for (const s of long)
  s.samples.forEach((id, i) => {
    self.set(label(id), (self.get(label(id)) ?? 0) + s.deltas[i]);
    const chain: number[] = [];
    for (let at: number | undefined = id; at !== undefined && parent.has(at); at = parent.get(at))
      chain.push(at);
    const top = chain.slice(-3).reverse().map(label).join(" > ");
    entry.set(top, (entry.get(top) ?? 0) + s.deltas[i]);
  });
const pct = (ms: number) => `${((100 * ms) / longMs).toFixed(1).padStart(5)} %`;
out(`\nstretches over ${min} ms (${long.length}, ${(longMs / 1000).toFixed(1)} s) — self time:`);
for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) out(`${pct(ms)}  ${k}`);
out(`\nby entry (the three frames under the root):`);
for (const [k, ms] of [...entry].sort((a, b) => b[1] - a[1]).slice(0, 15)) out(`${pct(ms)}  ${k}`);
