/**
 * `tsx src/profile-summary.ts <file.cpuprofile> [top]`: where a V8 CPU profile spent its time —
 * self time by function and by package (node_modules name or workspace folder).
 */
import { frameLabel, readCpuProfile } from "./lib/cpu-profile";

const [file, topArg] = process.argv.slice(2);
const profile = readCpuProfile(file, "profile-summary.ts <file.cpuprofile> [top]");
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
const packageOf = (url: string) => {
  const modules = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/);
  if (modules) return modules[1];
  const workspace = url.match(/\/(packages|services|bench)\/([^/]+)\//);
  if (workspace) return `${workspace[1]}/${workspace[2]}`;
  if (url.startsWith("node:")) return "node:internal";
  return url ? url.replace(/^file:\/\//, "").slice(-40) : "(native/vm)";
};
for (const node of profile.nodes) {
  const t = self.get(node.id) ?? 0;
  if (!t) continue;
  const name = node.callFrame.functionName || "(anonymous)";
  const key = frameLabel(node.callFrame, "  ");
  byFunction.set(key, (byFunction.get(key) ?? 0) + t);
  const pkg = ["(garbage collector)", "(program)", "(idle)"].includes(name)
    ? name
    : packageOf(node.callFrame.url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t);
}
const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
const top = Number(topArg ?? 25);
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n\nby package:\n`);
for (const [k, t] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 20))
  process.stdout.write(`${pct(t)}  ${k}\n`);
process.stdout.write(`\nby function (self):\n`);
for (const [k, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
  process.stdout.write(`${pct(t)}  ${k}\n`);
