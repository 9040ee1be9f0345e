/**
 * Fan-out over the push service's WebSocket.
 *
 * One chat with N participants, each connected (spread over the push replicas) and subscribed to
 * `agent_id:<me>:chat`; one of them posts at a fixed rate; for every message, the time from the
 * POST's response to its receipt on each socket. B3 (bare `ws`) sends a frame of the same bytes to
 * N sockets at the same rate, timed from just before its first send. The readers of both are held
 * by holder processes (servers/ws-holder.ts, one 127.0.0.x source address each), so the load
 * generator does not limit a large N. The rate is `fanoutRate` messages/s, lowered for large N so
 * that the deliveries per second stay at `fanoutDeliveries` (N = 5,000: 4 messages/s, 20,000
 * deliveries/s, as N = 1,000 at 20/s). Also reported: CPU per delivery, push's and B3's.
 * (Idle connections: scenarios/connections.ts.)
 */
import { BenchChild } from "../lib/child";
import { CpuMeter, CpuTally } from "../lib/cpu";
import type { Fixtures } from "../lib/fixtures";
import { Holders } from "../lib/holders";
import { HttpClient } from "../lib/http";
import { interleaved } from "../lib/interleave";
import { type Row, ratiosOf } from "../lib/report";
import type { BenchSettings } from "../lib/settings";
import { type BenchStack, profiled } from "../lib/stack";
import type { Samples } from "../lib/stats";
import { WsClient } from "../lib/ws-clients";
import { atRate } from "./broadcast";

type Log = (line: string) => void;

const MESSAGES = "/v1.0/service_agents/talk_messages";
/** Sockets per holder process (at most 4 holders: the machine has 2 cores). */
const PER_HOLDER = 1250;

/** Messages per second for N readers: `fanoutRate`, or fewer so the deliveries stay at `fanoutDeliveries`. */
export const fanoutRateFor = (settings: BenchSettings, n: number): number =>
  Math.min(settings.fanoutRate, settings.fanoutDeliveries / n);

export async function runFanout(
  settings: BenchSettings,
  stack: BenchStack,
  fixtures: Fixtures,
  log: Log,
): Promise<Row[]> {
  if (stack.push.length === 0) {
    log("fan-out: this stack has no push service; skipped");
    return [];
  }
  const b3 = await BenchChild.start("B3 ws broadcast", "servers/b3-ws-broadcast.ts");
  const rows: Row[] = [];
  try {
    for (const n of settings.fanoutSizes) rows.push(await fanoutAt(n, settings, stack, fixtures, b3, log));
  } finally {
    await b3.stop();
  }
  return rows;
}

async function fanoutAt(
  n: number,
  settings: BenchSettings,
  stack: BenchStack,
  fixtures: Fixtures,
  b3: BenchChild,
  log: Log,
): Promise<Row> {
  const rate = fanoutRateFor(settings, n);
  log(`fan-out N=${n}: ${n} agents in one chat`);
  const customer = await fixtures.customer();
  const agents = await fixtures.agents(customer, n);
  const chatId = await fixtures.groupChat(agents, `fan-out ${n}`);
  const holders = await Holders.start(Math.min(4, Math.ceil(n / PER_HOLDER)));
  const http = new HttpClient(stack.gateways[0], 16);
  try {
    log(
      `fan-out N=${n}: chat ready; ${holders.pids.length} holder process(es) connect ${n} readers to ${stack.push.length} push replica(s) and ${n} sockets to B3`,
    );
    const talkOpen = await holders.open(
      agents.map((agent, i) => ({
        url: WsClient.pushUrl(stack.push[i % stack.push.length].url, agent.token),
        topic: `agent_id:${agent.id}:chat`,
      })),
      "talk",
      log,
    );
    const bareOpen = await holders.open(
      agents.map(() => ({ url: `ws://127.0.0.1:${String(b3.info.port)}/` })),
      "bare",
      log,
      "seq",
    );
    if (talkOpen.errors || bareOpen.errors)
      throw new Error(`fan-out N=${n}: ${talkOpen.errors + bareOpen.errors} sockets did not open`);
    const sender = agents[0];

    const talkRound = async (seconds: number): Promise<Samples> => {
      await holders.listen();
      const responses = new Map<string, bigint>();
      let failed = 0;
      const started = process.hrtime.bigint();
      await atRate(rate, seconds, async (k) => {
        const reply = await http.request(
          "POST",
          MESSAGES,
          { chat_id: chatId, type: "normal", text: `fan-out ${n} #${k}` },
          { authorization: `Bearer ${sender.token}` },
        );
        const at = process.hrtime.bigint();
        if (reply.status !== 200) failed++;
        else responses.set((JSON.parse(reply.body) as { id: string }).id, at);
      });
      const samples = await holders.collect("talk", responses);
      samples.errors += failed * n;
      samples.seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return samples;
    };
    const b3Round = async (seconds: number): Promise<Samples> => {
      await holders.listen();
      const sent = new Map<string, bigint>();
      const base = Math.floor(Math.random() * 1e9);
      const started = process.hrtime.bigint();
      await atRate(rate, seconds, async (k) => {
        const answer = await b3.request({ type: "broadcast", seq: base + k });
        sent.set(String(base + k), BigInt(String(answer.t0)));
      });
      const samples = await holders.collect("bare", sent);
      samples.seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return samples;
    };

    log(`fan-out N=${n}: warm-up`);
    await talkRound(settings.warmupSeconds);
    const template = (await holders.sample())?.replace(/"seq":\d+/, '"seq":__SEQ__');
    await b3.request({ type: "template", template: template ?? '{"type":"bench","seq":__SEQ__}' });
    await b3Round(settings.warmupSeconds);
    log(`fan-out N=${n}: ${settings.rounds} × ${settings.fanoutSeconds} s each side at ${rate} messages/s`);
    const meter = new CpuMeter(() => {
      const named: Record<string, number[]> = { B3: [b3.pid], holders: holders.pids };
      for (const p of stack.distributed.processes) (named[p.spec.service] ??= []).push(p.pid ?? 0);
      return named;
    });
    const cpu = { talk: new CpuTally(), baseline: new CpuTally() };
    const [base, talk] = await interleaved(settings.rounds, [
      () => cpu.baseline.measure(meter, () => b3Round(settings.fanoutSeconds)),
      () =>
        cpu.talk.measure(meter, () =>
          profiled(settings.cpuProf, stack, () => talkRound(settings.fanoutSeconds)),
        ),
    ]);
    const talkMeasured = { label: "Talk", summary: talk.summary() };
    const baseMeasured = { label: `B3 N=${n}`, summary: base.summary() };
    const ratios = ratiosOf("fanout", talkMeasured, baseMeasured);
    const target =
      n === 100
        ? { target: "p99 within a few ms of B3", met: (ratios.p99_delta_ms ?? Infinity) <= 5 }
        : n >= 5000
          ? { target: "p99 ≤ 2× B3 (issue 18)", met: (ratios.p99 ?? Infinity) <= 2 }
          : {};
    const talkCpu = cpu.talk.perOp();
    const b3Cpu = cpu.baseline.perOp();
    return {
      id: `fanout-${n}`,
      scenario: `Fan-out: 1 chat, N = ${n.toLocaleString("en-US")} connected participants, ${rate} messages/s (${Math.round(rate * n).toLocaleString("en-US")} deliveries/s); POST response → each socket`,
      kind: "fanout",
      talk: talkMeasured,
      baseline: baseMeasured,
      ratios,
      ...target,
      cpuPerOp: { talk: talkCpu, baseline: b3Cpu },
      note:
        `CPU µs per delivery: push ${((talkCpu.push ?? NaN) * 1000).toFixed(1)}, B3 ${((b3Cpu.B3 ?? NaN) * 1000).toFixed(1)}` +
        ` (readers in ${holders.pids.length} holder process(es))` +
        (talk.errors ? `; ${talk.errors} receipts missing after 15 s` : ""),
    };
  } finally {
    http.close();
    await holders.stop();
  }
}
