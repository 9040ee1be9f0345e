/**
 * `tsx src/profile-embedded.ts [--seconds 10] [--concurrency 32] [--cpu-prof DIR]`: the embedded
 * mode's send (one process, PGlite) under a closed load of `--concurrency` senders, each in its own
 * chat, after a warm-up: the rate and the CPU milliseconds per send of the embedded process; with
 * --cpu-prof, its V8 CPU profile (of the whole run: start, fixtures and the load;
 * `tsx src/profile-summary.ts <file>` summarises it). No baseline here: the ratio to B1 is the
 * bench's (`pnpm bench --only embedded`).
 */
import { join, resolve } from "node:path";
import { BenchChild } from "./lib/child";
import { CpuMeter } from "./lib/cpu";
import { HttpClient } from "./lib/http";
import { runCommand } from "./lib/run";
import { type Sender, talkSend } from "./scenarios/send";
import { argv, option } from "./lib/args";

const seconds = Number(option("--seconds", "10"));
const concurrency = Number(option("--concurrency", "32"));
const cpuProf = argv.includes("--cpu-prof") ? option("--cpu-prof", "") : undefined;

async function main() {
  // the bench's preloaded profiling hook: SIGUSR2 starts and stops a profile of exactly the window
  const child = await BenchChild.start(
    "embedded",
    "servers/embedded.ts",
    cpuProf ? { TALK_CPU_PROF_DIR: resolve(cpuProf) } : {},
    cpuProf ? [`--import=${join(__dirname, "lib", "cpu-profile-hook.mjs")}`] : [],
  );
  try {
    const { senders } = (await child.request({ type: "fixtures", senders: concurrency })) as unknown as {
      senders: Sender[];
    };
    const client = new HttpClient(String(child.info.url), concurrency);
    await talkSend([client], senders, concurrency, 3);
    const meter = new CpuMeter(() => ({ embedded: [child.pid] }));
    const toggle = () => cpuProf && process.kill(child.pid, "SIGUSR2");
    toggle();
    const { result: samples, cpuMs: cpu } = await meter.during(() =>
      talkSend([client], senders, concurrency, seconds),
    );
    toggle();
    client.close();
    const summary = samples.summary();
    const perSend = (cpu.embedded ?? 0) / Math.max(1, summary.count);
    process.stdout.write(
      `embedded send, concurrency ${concurrency}: ${Math.round(summary.rate)}/s, p50 ${summary.p50.toFixed(1)} ms, ` +
        `p99 ${summary.p99.toFixed(1)} ms, ${summary.errors} errors; CPU ${perSend.toFixed(3)} ms per send\n`,
    );
  } finally {
    await child.stop();
  }
}

runCommand("profile-embedded", main);
