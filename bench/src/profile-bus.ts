/**
 * `tsx src/profile-bus.ts [--seconds 3] [--rounds 3] [--cpu-prof DIR]`
 *
 * The bus alone against B2 at concurrency 1, without the stack: a private RabbitMQ (testkit), B2's
 * echo and the bus echo in their own processes, each on a quorum and a classic request queue,
 * measured alternating in this process (the same clients as the bench's latency scenario). With
 * `--cpu-prof DIR`, the bus echo and this process write V8 CPU profiles of the bus rounds
 * (summarise one with `npx tsx src/profile-summary.ts <file>`).
 */
import { Session } from "node:inspector";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startRabbit } from "@talk/testkit";
import { interleaved } from "./lib/interleave";
import { runCommand } from "./lib/run";
import { b2Calls, busCalls, startRpcBaselines } from "./scenarios/rpc";
import type { Samples } from "./lib/stats";
import { argv, option } from "./lib/args";

const seconds = Number(option("--seconds", "3"));
const rounds = Number(option("--rounds", "3"));
const cpuProf = argv.includes("--cpu-prof") ? resolve(option("--cpu-prof", "")) : undefined;

const log = (line: string) =>
  process.stdout.write(`[bus ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const line = (name: string, samples: Samples) => {
  const s = samples.summary();
  return `${name.padEnd(24)} n=${String(s.count).padStart(6)}  p50 ${s.p50.toFixed(3)} ms  p99 ${s.p99.toFixed(3)} ms  errors ${s.errors}`;
};

/** This process's own profile, through the inspector (the children use bench's preloaded hook). */
function selfProfiler(dir: string) {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((done, fail) =>
      session.post(method, params ?? {}, (error, result) => (error ? fail(error) : done(result))),
    );
  return {
    start: async () => {
      await post("Profiler.enable");
      await post("Profiler.setSamplingInterval", { interval: 250 });
      await post("Profiler.start");
    },
    stop: async () => {
      const { profile } = (await post("Profiler.stop")) as { profile: unknown };
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `bench-client-${process.pid}.cpuprofile`), JSON.stringify(profile));
    },
  };
}

async function main() {
  log("starting RabbitMQ");
  const rabbit = await startRabbit();
  if (cpuProf) {
    process.env.NODE_OPTIONS = `--import=${join(__dirname, "lib", "cpu-profile-hook.mjs")}`;
    process.env.TALK_CPU_PROF_DIR = cpuProf;
  }
  const rpc = await startRpcBaselines(rabbit.url);
  try {
    log("warm-up");
    for (const type of ["quorum", "classic"] as const) {
      await b2Calls(rpc.b2, type, 1, 2);
      await busCalls(rpc.bus[type], 1, 2);
    }
    log(`measuring ${rounds} × ${seconds} s each`);
    const [b2q, b2c, busq, busc] = await interleaved(rounds, [
      () => b2Calls(rpc.b2, "quorum", 1, seconds),
      () => b2Calls(rpc.b2, "classic", 1, seconds),
      () => busCalls(rpc.bus.quorum, 1, seconds),
      () => busCalls(rpc.bus.classic, 1, seconds),
    ]);
    const lines = [
      line("B2, quorum queue", b2q),
      line("B2, classic queue", b2c),
      line("bus, quorum queue", busq),
      line("bus, classic queue", busc),
      `bus / B2: quorum ${(busq.summary().p50 / b2q.summary().p50).toFixed(2)}×, classic ${(busc.summary().p50 / b2c.summary().p50).toFixed(2)}×`,
    ];
    if (cpuProf) {
      log("profiling the bus on classic queues");
      const self = selfProfiler(cpuProf);
      const echo = rpc.children.find((c) => c.name === "bus echo")!;
      process.kill(echo.pid, "SIGUSR2");
      await self.start();
      lines.push(line("bus, classic, profiled", await busCalls(rpc.bus.classic, 1, seconds * rounds)));
      await self.stop();
      process.kill(echo.pid, "SIGUSR2");
      await new Promise((r) => setTimeout(r, 500));
    }
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    await rpc.close();
    await rabbit.close();
  }
}

runCommand("bus", main);
