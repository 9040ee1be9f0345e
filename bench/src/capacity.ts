/**
 * `cd bench && npx tsx src/capacity.ts [--service message-manager] [--replicas 1,2,3] [--rate 150]
 *  [--seconds 20] [--capacity-seconds 8]`
 *
 * The capacity model's check (docs/capacity.md, issue 18): the distributed stack with 1, 2 and 3
 * replicas of one service (one of every other), each at the same open-loop offered load below
 * saturation. For each: goodput, latency, CPU per send by process, sends per group commit, push's
 * CPU per stream event (it reads every event, whatever its clients), the idle CPU of one replica of
 * the service, and the closed-loop capacity (concurrency 32). The model's prediction for R
 * replicas on this machine's shared cores comes from the 1-replica figures alone (see `predict`).
 * Writes bench/results/capacity-<service>-latest.md|json.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { CpuMeter } from "./lib/cpu";
import { Fixtures } from "./lib/fixtures";
import { HttpClient, closedLoop } from "./lib/http";
import { runCommand } from "./lib/run";
import { type BenchStack, histogramTotals, startStack } from "./lib/stack";
import { Samples, sleep } from "./lib/stats";
import { atRate } from "./scenarios/broadcast";
import type { Sender } from "./scenarios/send";

const log = (line: string) =>
  process.stdout.write(`[capacity ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const MESSAGES = "/v1.0/service_agents/talk_messages";
const SENDERS = 32;
const IDLE_SECONDS = 5;

interface Options {
  service: string;
  replicas: number[];
  rate: number;
  seconds: number;
  capacitySeconds: number;
}

function parse(argv: string[]): Options {
  const value = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  return {
    service: value("--service") ?? "message-manager",
    replicas: (value("--replicas") ?? "1,2,3").split(",").map(Number),
    rate: Number(value("--rate") ?? 150),
    seconds: Number(value("--seconds") ?? 20),
    capacitySeconds: Number(value("--capacity-seconds") ?? 8),
  };
}

export interface ReplicaRun {
  replicas: number;
  offered: number;
  goodput: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU ms per send by service (replicas summed), PostgreSQL, RabbitMQ, the load generator. */
  cpuPerSend: Record<string, number>;
  /** CPU ms per send of each replica of the service. */
  perReplica: number[];
  sendsPerCommit: number;
  /** Push's CPU ms per stream event (one replica; no client connected). */
  pushPerEvent: number;
  /** CPU ms per second of one idle replica of the service (no load). */
  idleReplicaMsPerSecond: number;
  capacity: number;
  capacityP99: number;
  /** CPU ms per send and sends per group commit in the closed loop. */
  capacityCpuPerSend: number;
  capacitySendsPerCommit: number;
  loadAverage: number;
}

/** One send at a time per request; the senders take turns (32 chats, each its own sender). */
function post(clients: HttpClient[], senders: Sender[], k: number) {
  const sender = senders[k % senders.length];
  return clients[k % clients.length].request(
    "POST",
    MESSAGES,
    { chat_id: sender.chatId, type: "normal", text: `capacity ${k}` },
    { authorization: `Bearer ${sender.token}` },
  );
}

async function openLoop(clients: HttpClient[], senders: Sender[], rate: number, seconds: number) {
  const samples = new Samples();
  const started = performance.now();
  await atRate(rate, seconds, async (k) => {
    const t0 = performance.now();
    const reply = await post(clients, senders, k);
    if (reply.status === 200) samples.add(performance.now() - t0);
    else samples.errors++;
  });
  samples.seconds = (performance.now() - started) / 1000;
  return samples;
}

async function senders(stack: BenchStack): Promise<Sender[]> {
  const fixtures = await Fixtures.connect(stack.distributed);
  try {
    const customer = await fixtures.customer();
    const agents = await fixtures.agents(customer, SENDERS + 1);
    const out: Sender[] = [];
    for (let i = 0; i < SENDERS; i++) {
      const chatId = await fixtures.groupChat([agents[i], agents[i + 1]], `capacity ${i}`);
      out.push({ token: agents[i].token, agentId: agents[i].id, customerId: customer, chatId });
    }
    return out;
  } finally {
    await fixtures.close();
  }
}

async function measure(options: Options, replicas: number): Promise<ReplicaRun> {
  log(`${replicas} replica(s) of ${options.service}, one of every other service: starting the stack`);
  const stack = await startStack(1, { serviceReplicas: { [options.service]: replicas } });
  const clients = stack.gateways.map((url) => new HttpClient(url, 64));
  try {
    const writers = await senders(stack);
    const named = () => {
      const out: Record<string, number[]> = {};
      for (const p of stack.distributed.processes) (out[p.spec.name] ??= []).push(p.pid ?? 0);
      return out;
    };
    const meter = new CpuMeter(named);
    log("warm-up");
    await openLoop(clients, writers, options.rate, 5);
    await sleep(1000);
    const idle = await meter.during(() => sleep(IDLE_SECONDS * 1000));
    const replicaNames = stack.distributed.byService(options.service).map((p) => p.spec.name);
    const idleReplicaMsPerSecond =
      replicaNames.reduce((sum, name) => sum + (idle.cpuMs[name] ?? 0), 0) /
      replicaNames.length /
      IDLE_SECONDS;
    log(`open loop: ${options.rate} sends/s for ${options.seconds} s`);
    const commits = () => histogramTotals(stack, "message-manager", "talk_message_send_batch_size");
    const before = await commits();
    const { result: samples, cpuMs } = await meter.during(() =>
      openLoop(clients, writers, options.rate, options.seconds),
    );
    const after = await commits();
    const sent = samples.count;
    const byService: Record<string, number> = {};
    for (const [name, ms] of Object.entries(cpuMs)) {
      const service = stack.distributed.processes.find((p) => p.spec.name === name)?.spec.service ?? name;
      byService[service] = (byService[service] ?? 0) + ms / Math.max(1, sent);
    }
    const summary = samples.summary();
    log(`closed loop (concurrency ${SENDERS}) for ${options.capacitySeconds} s: capacity`);
    const closedBefore = await commits();
    const closed = await meter.during(() =>
      closedLoop(SENDERS, options.capacitySeconds, async (w, i) => {
        const reply = await post(clients, writers, w + i * SENDERS);
        return reply.status === 200;
      }),
    );
    const closedAfter = await commits();
    const cap = closed.result.summary();
    const run: ReplicaRun = {
      replicas,
      offered: options.rate,
      goodput: summary.rate,
      p50: summary.p50,
      p99: summary.p99,
      errors: summary.errors,
      cpuPerSend: byService,
      perReplica: replicaNames.map((name) => (cpuMs[name] ?? 0) / Math.max(1, sent)),
      sendsPerCommit: (after.sum - before.sum) / Math.max(1, after.count - before.count),
      pushPerEvent: byService.push ?? NaN,
      idleReplicaMsPerSecond,
      capacity: cap.rate,
      capacityP99: cap.p99,
      capacityCpuPerSend: Object.values(closed.cpuMs).reduce((a, b) => a + b, 0) / Math.max(1, cap.count),
      capacitySendsPerCommit:
        (closedAfter.sum - closedBefore.sum) / Math.max(1, closedAfter.count - closedBefore.count),
      loadAverage: loadavg()[0],
    };
    log(
      `goodput ${summary.rate.toFixed(0)}/s, p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms; capacity ${cap.rate.toFixed(0)}/s`,
    );
    return run;
  } finally {
    for (const client of clients) client.close();
    await stack.stop();
  }
}

const total = (cpu: Record<string, number>) => Object.values(cpu).reduce((a, b) => a + b, 0);

/**
 * The model's prediction for R replicas, from the 1-replica run's figures alone. On shared cores
 * replicas add no CPU; what changes is the group commit: a replica batches the sends that arrive
 * while its previous commit is written, so R replicas sharing the same load make batches about R
 * times smaller (never under 1). CPU per send is a per-send part plus a per-commit part (the
 * commit's round trips and fsync, one relay pass, one stream entry) shared by the batch:
 * cpu(b) = A + C / b, with A and C from the 1-replica run's two points (the open loop's batches
 * and the closed loop's). Capacity is the same cores divided by the CPU per send at the closed
 * loop's batch size.
 */
export function predict(first: ReplicaRun, replicas: number) {
  const b1 = first.sendsPerCommit;
  const bc = first.capacitySendsPerCommit;
  const cpu1 = total(first.cpuPerSend);
  const cpuc = first.capacityCpuPerSend;
  const C = Math.abs(1 / b1 - 1 / bc) > 1e-6 ? (cpu1 - cpuc) / (1 / b1 - 1 / bc) : 0;
  const A = cpu1 - C / b1;
  const cpuAt = (b: number) => A + C / b;
  const batch = Math.max(1, b1 / replicas);
  const closedBatch = Math.max(1, bc / replicas);
  return {
    goodput: first.offered,
    sendsPerCommit: batch,
    cpuPerSend: cpuAt(batch),
    capacity: (first.capacity * cpuAt(bc)) / cpuAt(closedBatch),
    perSend: A,
    perCommit: C,
  };
}

function markdown(service: string, runs: ReplicaRun[], date: string, commit: string): string {
  const f = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : "–");
  const first = runs[0];
  const lines = [
    `### Capacity model check — ${date.slice(0, 16).replace("T", " ")} UTC, commit ${commit}`,
    "",
    `1, 2, 3 replicas of **${service}** (one of every other service), PostgreSQL durable, every process on the same 2 cores; open-loop offered load ${first.offered} sends/s over 32 chats, then a closed loop at concurrency 32 for the capacity. Predictions from the 1-replica run only (see bench/src/capacity.ts).`,
    "",
    "| replicas | goodput (predicted) | p50 · p99 | sends per group commit (predicted) | CPU ms per send (predicted) | of which the service's replicas | idle CPU per replica | capacity, closed loop (predicted) | closed loop: sends per commit, CPU ms per send | load average |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const run of runs) {
    const p = predict(first, run.replicas);
    lines.push(
      `| ${run.replicas} | ${f(run.goodput, 0)}/s (${f(p.goodput, 0)}) | ${f(run.p50)} · ${f(run.p99)} ms | ${f(run.sendsPerCommit)} (${f(p.sendsPerCommit)}) | ${f(total(run.cpuPerSend), 2)} (${f(p.cpuPerSend, 2)}) | ${run.perReplica.map((v) => f(v, 2)).join(" + ")} | ${f(run.idleReplicaMsPerSecond)} ms/s | ${f(run.capacity, 0)}/s (${f(p.capacity, 0)}) | ${f(run.capacitySendsPerCommit)}, ${f(run.capacityCpuPerSend, 2)} | ${f(run.loadAverage)} |`,
    );
  }
  const model = predict(first, 1);
  lines.push(
    "",
    `Model fitted on the 1-replica run: CPU per send = ${f(model.perSend, 2)} ms + ${f(model.perCommit, 2)} ms per group commit ÷ sends per commit.`,
    "",
    "CPU ms per send by process group (open loop):",
    "",
  );
  const groups = [...new Set(runs.flatMap((r) => Object.keys(r.cpuPerSend)))].filter((g) =>
    runs.some((r) => (r.cpuPerSend[g] ?? 0) >= 0.005),
  );
  lines.push(`| replicas | ${groups.join(" | ")} |`, `|---|${groups.map(() => "---").join("|")}|`);
  for (const run of runs)
    lines.push(`| ${run.replicas} | ${groups.map((g) => f(run.cpuPerSend[g] ?? 0, 3)).join(" | ")} |`);
  lines.push(
    "",
    `Push (one replica, no client connected) spent ${runs.map((r) => f(r.pushPerEvent * 1000, 0)).join(" / ")} µs of CPU per send (one chatmessage_created event each) reading the stream.`,
  );
  return lines.join("\n") + "\n";
}

async function main() {
  const options = parse(process.argv.slice(2));
  const runs: ReplicaRun[] = [];
  const date = new Date().toISOString();
  for (const replicas of options.replicas) runs.push(await measure(options, replicas));
  const git = (args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim();
  const commit = `${git(["rev-parse", "--short", "HEAD"])}${git(["status", "--porcelain"]) ? "+changes" : ""}`;
  const md = markdown(options.service, runs, date, commit);
  const dir = join(__dirname, "..", "results");
  const name = `capacity-${options.service}-latest`;
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ date, commit, options, runs }, null, 2) + "\n");
  writeFileSync(join(dir, `${name}.md`), md);
  process.stdout.write("\n" + md);
}

runCommand("capacity", main);
