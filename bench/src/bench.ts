/**
 * `pnpm bench [--quick] [--replicas N] [--only send,latency,fanout,connections,embedded,embedded-footprint,variants,chat-list]
 *             [--fanout 10,100,1000,5000] [--connections 19000] [--chat-list 200x10000] [--cpu-prof DIR]
 *             [--variants fsync-off,rabbitmq-cluster] [--rabbitmq-cluster] [--fsync-off] [--no-variants]
 *             [--embedded-before DIR]`
 * (chat-list runs only when named: `pnpm bench --only chat-list`; it and `--only embedded` also
 * write their own `<scenario>-latest.*`; `--only embedded-footprint` measures the embedded start's
 * memory and time to ready alone, without the distributed stack), and
 * `pnpm bench --merge <results.json>…`: one report from several runs (the full bench split into runs
 * of a few scenarios each, under ten minutes apiece on a shared machine; later files win for a
 * scenario), written as latest.* when every run was a full one.
 *
 * Starts the distributed stack on this machine's RabbitMQ and PostgreSQL binaries (every service its
 * own process), the baselines B1 (express + pg insert), B2 (bare amqplib request/reply) and B3 (bare
 * `ws` broadcast), and measures each scenario against its baseline in the same run, alternating
 * them. Prints a Markdown table and writes it, with a JSON file, under bench/results/.
 * With --cpu-prof, every service writes a V8 CPU profile of exactly the measured send windows
 * (summarise one with `npx tsx bench/src/profile-summary.ts <file>`).
 */
import { HttpClient } from "./lib/http";
import { Fixtures, type BenchAgent } from "./lib/fixtures";
import { interleaved } from "./lib/interleave";
import {
  type Measured,
  type Results,
  type Row,
  markdown,
  mergeResults,
  ratiosOf,
  withOtherFigures,
  writeResults,
} from "./lib/report";
import { type BenchSettings, type SendVariant, parseSettings, wants } from "./lib/settings";
import type { Samples } from "./lib/stats";
import { systemInfo } from "./lib/system-info";
import { CpuMeter, CpuTally } from "./lib/cpu";
import { BenchChild } from "./lib/child";
import { histogramTotals, profiled, startStack, type BenchStack } from "./lib/stack";
import { b2Calls, busCalls, getChat, startRpcBaselines } from "./scenarios/rpc";
import { B2_QUEUE_TYPES } from "./lib/amqp-rpc";
import { type Sender, b1Send, startB1, talkSend } from "./scenarios/send";
import { runChatList } from "./scenarios/chat-list";
import { runConnections } from "./scenarios/connections";
import { runFanout } from "./scenarios/fanout";
import { runEmbeddedFootprint } from "./scenarios/embedded-footprint";
import { runCommand } from "./lib/run";

const log = (line: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function measured(label: string, samples: Samples, extra?: Record<string, number>): Measured {
  return { label, summary: samples.summary(), ...(extra ? { extra } : {}) };
}

function row(partial: Omit<Row, "ratios">): Row {
  return { ...partial, ratios: ratiosOf(partial.kind, partial.talk, partial.baseline) };
}

interface SendSetup {
  b1: BenchChild;
  b1Client: HttpClient;
  talkClients: HttpClient[];
  agents: BenchAgent[];
  /** Each sender in its own chat (with one other agent). */
  spread: Sender[];
  /** Every sender in one chat. */
  hot: Sender[];
}

async function prepareSend(
  settings: BenchSettings,
  stack: BenchStack,
  fixtures: Fixtures,
): Promise<SendSetup> {
  const c = settings.sendConcurrency;
  const customer = await fixtures.customer();
  const agents = await fixtures.agents(customer, c + 1);
  const spread: Sender[] = [];
  for (let i = 0; i < c; i++) {
    const chatId = await fixtures.groupChat([agents[i], agents[i + 1]], `bench spread ${i}`);
    spread.push({ token: agents[i].token, agentId: agents[i].id, customerId: customer, chatId });
  }
  const hotChat = await fixtures.groupChat(agents, "bench hot chat");
  const hot: Sender[] = agents
    .slice(0, c)
    .map((a) => ({ token: a.token, agentId: a.id, customerId: customer, chatId: hotChat }));
  const b1 = await startB1(
    await stack.postgres.createDatabase("bench_b1"),
    [...spread, hot[0]].map((s) => ({ id: s.chatId, customerId: customer })),
  );
  return {
    b1,
    b1Client: new HttpClient(`http://127.0.0.1:${String(b1.info.port)}`, c),
    talkClients: stack.gateways.map((url) => new HttpClient(url, c)),
    agents,
    spread,
    hot,
  };
}

/** How a variant's rows are told apart from the main pass's. */
function variantLabel(variant: SendVariant | undefined): { id: string; text: string } {
  if (variant === "fsync-off")
    return { id: "-fsync-off", text: " — PostgreSQL fsync=off variant (not production settings)" };
  if (variant === "rabbitmq-cluster")
    return {
      id: "-rabbitmq-cluster",
      text: ` — RabbitMQ as a ${CLUSTER_NODES}-node cluster (quorum queues on 3 replicas), all nodes on this machine`,
    };
  return { id: "", text: "" };
}

const CLUSTER_NODES = 3;

async function sendRows(
  settings: BenchSettings,
  stack: BenchStack,
  send: SendSetup,
  rows: Row[],
  variant?: SendVariant,
) {
  const label = variantLabel(variant);
  const meter = meterFor(stack, send);
  const c = settings.sendConcurrency;
  // Once, before the first measurement: the services' code is compiled hot on this path (a cold
  // gateway costs a third more CPU per request than a warm one).
  log("send throughput: warming the stack up");
  await talkSend(send.talkClients, send.spread, c, Math.max(3, settings.warmupSeconds));
  for (const [name, senders] of [
    [`${c} chats`, send.spread],
    ["1 chat", send.hot],
  ] as const) {
    log(`send throughput, ${name}: warm-up`);
    await talkSend(send.talkClients, senders, c, settings.warmupSeconds);
    await b1Send(send.b1Client, senders, c, settings.warmupSeconds);
    log(`send throughput, ${name}: ${settings.rounds} × ${settings.sendSeconds} s each side`);
    const cpu = { talk: new CpuTally(), baseline: new CpuTally() };
    const batches = () => histogramTotals(stack, "message-manager", "talk_message_send_batch_size");
    const batchesBefore = await batches();
    const [base, talk] = await interleaved(settings.rounds, [
      () => cpu.baseline.measure(meter, () => b1Send(send.b1Client, senders, c, settings.sendSeconds)),
      () =>
        cpu.talk.measure(meter, () =>
          profiled(settings.cpuProf, stack, () =>
            talkSend(send.talkClients, senders, c, settings.sendSeconds),
          ),
        ),
    ]);
    const batchesAfter = await batches();
    const perBatch = (batchesAfter.sum - batchesBefore.sum) / (batchesAfter.count - batchesBefore.count);
    rows.push(
      row({
        id: `send-${name.replace(" ", "-")}${label.id}`,
        scenario: `Send throughput: POST talk_messages, concurrency ${c}, ${name}${label.text}`,
        kind: "throughput",
        talk: measured("Talk", talk),
        baseline: measured("B1", base),
        target: "≥ 1.0× B1 (issue 18, durable)",
        met: talk.summary().rate >= base.summary().rate,
        cpuPerOp: { talk: cpu.talk.perOp(), baseline: cpu.baseline.perOp() },
        note: `message-manager wrote ${perBatch.toFixed(1)} sends per group commit on average.`,
      }),
    );
  }
}

/**
 * Concurrency 1: GET a chat, POST a message, and the bus alone, against B1 and B2. B2 and the bus
 * echo each run on a quorum request queue — the type of the stack's RPC request queues, so the
 * targets' "B2" is the bare broker hop as deployed — and on a classic one, shown beside it.
 */
async function latencyRows(settings: BenchSettings, stack: BenchStack, send: SendSetup, rows: Row[]) {
  const rpc = await startRpcBaselines(stack.rabbitUrl);
  try {
    const seconds = settings.latencySeconds;
    const sender = send.spread[0];
    const [gateway] = send.talkClients;
    log("latency at concurrency 1: warm-up");
    for (const type of B2_QUEUE_TYPES) {
      await b2Calls(rpc.b2, type, 1, settings.warmupSeconds);
      await busCalls(rpc.bus[type], 1, settings.warmupSeconds);
    }
    await getChat(gateway, sender.token, sender.chatId, settings.warmupSeconds);
    await talkSend([gateway], [sender], 1, settings.warmupSeconds);
    await b1Send(send.b1Client, [sender], 1, settings.warmupSeconds);
    log(`latency at concurrency 1: ${settings.rounds} × ${seconds} s each`);
    const [b2q, b2c, busq, busc, get, b1c1, post] = await interleaved(settings.rounds, [
      () => b2Calls(rpc.b2, "quorum", 1, seconds),
      () => b2Calls(rpc.b2, "classic", 1, seconds),
      () => busCalls(rpc.bus.quorum, 1, seconds),
      () => busCalls(rpc.bus.classic, 1, seconds),
      () => getChat(gateway, sender.token, sender.chatId, seconds),
      () => b1Send(send.b1Client, [sender], 1, seconds),
      () => talkSend([gateway], [sender], 1, seconds),
    ]);
    log(`request/reply at concurrency 16: ${settings.rounds} × ${seconds} s each`);
    const meter = meterFor(stack, send, rpc.children);
    const cpu = { talk: new CpuTally(), baseline: new CpuTally() };
    const [b2q16, busq16, b2c16, busc16] = await interleaved(settings.rounds, [
      () => cpu.baseline.measure(meter, () => b2Calls(rpc.b2, "quorum", 16, seconds)),
      () => cpu.talk.measure(meter, () => busCalls(rpc.bus.quorum, 16, seconds)),
      () => b2Calls(rpc.b2, "classic", 16, seconds),
      () => busCalls(rpc.bus.classic, 16, seconds),
    ]);
    const b2 = measured("B2 c=1, quorum queue", b2q);
    const b2Classic = measured("B2 c=1, classic queue", b2c);
    const classicNote = `B2 on a classic queue (unreplicated, no Raft log written before delivery): p50 ${b2Classic.summary.p50.toFixed(2)} ms, p99 ${b2Classic.summary.p99.toFixed(2)} ms.`;
    rows.push(
      row({
        id: "latency-get-chat",
        scenario: "Latency, concurrency 1: GET talk_chats/{id}",
        kind: "latency",
        talk: measured("Talk", get),
        baseline: b2,
        note: classicNote,
      }),
      row({
        id: "latency-post-message",
        scenario: "Latency, concurrency 1: POST talk_messages",
        kind: "latency",
        talk: measured("Talk", post),
        baseline: measured("B1 c=1", b1c1),
      }),
      row({
        id: "rpc-c1",
        scenario:
          "Request/reply round trip, concurrency 1: the bus (AmqpBus ↔ AmqpBus, no database), quorum request queue (as deployed)",
        kind: "latency",
        talk: measured("Talk bus", busq),
        baseline: b2,
        target: "≤ 2× B2",
        met: busq.summary().p50 <= 2 * b2q.summary().p50,
      }),
      row({
        id: "rpc-c1-classic",
        scenario:
          "Request/reply round trip, concurrency 1: the bus on a classic request queue (RABBITMQ_QUEUE_TYPE=classic)",
        kind: "latency",
        talk: measured("Talk bus", busc),
        baseline: b2Classic,
      }),
      row({
        id: "rpc-c16",
        scenario: "Request/reply, concurrency 16: the bus, quorum request queue",
        kind: "throughput",
        talk: measured("Talk bus", busq16),
        baseline: measured("B2 c=16, quorum queue", b2q16),
        cpuPerOp: { talk: cpu.talk.perOp(), baseline: cpu.baseline.perOp() },
      }),
      row({
        id: "rpc-c16-classic",
        scenario: "Request/reply, concurrency 16: the bus, classic request queue",
        kind: "throughput",
        talk: measured("Talk bus", busc16),
        baseline: measured("B2 c=16, classic queue", b2c16),
      }),
    );
  } finally {
    await rpc.close();
  }
}

async function embeddedRow(settings: BenchSettings, b1Client: HttpClient, b1Senders: Sender[], rows: Row[]) {
  log("embedded mode: starting");
  const child = await BenchChild.start("embedded", "servers/embedded.ts");
  try {
    const c = settings.sendConcurrency;
    const { senders } = (await child.request({ type: "fixtures", senders: c })) as unknown as {
      senders: Sender[];
    };
    const client = new HttpClient(String(child.info.url), c);
    log("embedded mode: warm-up");
    await talkSend([client], senders, c, settings.warmupSeconds);
    log(`embedded mode: ${settings.rounds} × ${settings.embeddedSeconds} s each side`);
    const [base, talk] = await interleaved(settings.rounds, [
      () => b1Send(b1Client, b1Senders, c, settings.embeddedSeconds),
      () => talkSend([client], senders, c, settings.embeddedSeconds),
    ]);
    client.close();
    rows.push(
      row({
        id: "embedded-send",
        scenario: `Embedded mode (one process, PGlite) send throughput, concurrency ${c}, ${c} chats`,
        kind: "throughput",
        talk: measured("Talk embedded", talk),
        baseline: measured("B1", base),
        target: "≥ 0.75× B1 (issue 18)",
        met: talk.summary().rate >= 0.75 * base.summary().rate,
        note: "B1 runs on the PostgreSQL server; embedded Talk on PGlite (WASM, one connection, in-process).",
      }),
    );
  } finally {
    await child.stop();
  }
}

/**
 * The send scenario again on a fresh stack whose PostgreSQL (Talk's and B1's) has other settings,
 * or whose RabbitMQ is a cluster.
 */
async function sendVariantRows(settings: BenchSettings, variant: SendVariant, rows: Row[]) {
  log(`send throughput on ${variant}: starting a second stack`);
  const stack = await startStack(
    settings.replicas,
    variant === "rabbitmq-cluster"
      ? { durability: settings.durability, rabbitNodes: CLUSTER_NODES }
      : { durability: variant },
  );
  const fixtures = await Fixtures.connect(stack.distributed);
  let send: SendSetup | undefined;
  try {
    send = await prepareSend(settings, stack, fixtures);
    await sendRows(settings, stack, send, rows, variant);
  } finally {
    send?.b1Client.close();
    for (const client of send?.talkClients ?? []) client.close();
    await send?.b1.stop();
    await fixtures.close().catch(() => undefined);
    await stack.stop();
  }
}

function meterFor(stack: BenchStack, send: SendSetup, children: BenchChild[] = []): CpuMeter {
  return new CpuMeter(() => {
    const named: Record<string, number[]> = { b1: [send.b1.pid] };
    for (const child of children) named[child.name] = [child.pid];
    for (const p of stack.distributed.processes) (named[p.spec.service] ??= []).push(p.pid ?? 0);
    return named;
  });
}

/** `--merge a.json b.json …`: one report from several runs. */
function merge(files: string[]) {
  const results = withOtherFigures(mergeResults(files));
  const written = writeResults(results);
  process.stdout.write("\n" + markdown(results) + "\n");
  log(`written ${written.md} and ${written.json}`);
}

/** `--only embedded-footprint`: the embedded start's footprint alone, no distributed stack. */
async function footprintOnly(settings: BenchSettings, started: number) {
  const results: Results = {
    mode: settings.mode,
    system: await systemInfo(),
    settings: { ...settings },
    rows: [],
  };
  results.rows.push(...(await runEmbeddedFootprint(settings, log)));
  results.durationSeconds = (Date.now() - started) / 1000;
  const files = writeResults(results, "embedded-footprint-latest");
  process.stdout.write("\n" + markdown(results) + "\n");
  log(`written ${files.md} and ${files.json}`);
}

async function main() {
  if (process.argv[2] === "--merge") return merge(process.argv.slice(3));
  const started = Date.now();
  const settings = parseSettings(process.argv.slice(2));
  if (settings.only?.join(",") === "embedded-footprint") return footprintOnly(settings, started);
  log(
    `${settings.mode} run: starting the distributed stack (${settings.replicas} replica(s) of every service, PostgreSQL ${settings.durability})`,
  );
  const stack = await startStack(settings.replicas, {
    cpuProf: settings.cpuProf,
    durability: settings.durability,
  });
  const rows: Row[] = [];
  const results: Results = {
    mode: settings.mode,
    system: await systemInfo(stack.postgresUrl, stack.rabbitUrl),
    settings: { ...settings },
    rows,
  };
  log(
    `stack ready in ${Math.round((Date.now() - started) / 1000)} s; service logs in ${stack.distributed.logDir}`,
  );
  const fixtures = await Fixtures.connect(stack.distributed);
  let send: SendSetup | undefined;
  try {
    if (wants(settings, "send") || wants(settings, "latency") || wants(settings, "embedded"))
      send = await prepareSend(settings, stack, fixtures);
    if (send && wants(settings, "send")) await sendRows(settings, stack, send, rows);
    if (send && wants(settings, "latency")) await latencyRows(settings, stack, send, rows);
    if (wants(settings, "fanout")) rows.push(...(await runFanout(settings, stack, fixtures, log)));
    if (wants(settings, "connections")) rows.push(...(await runConnections(settings, stack, fixtures, log)));
    if (send && wants(settings, "embedded")) await embeddedRow(settings, send.b1Client, send.spread, rows);
    if (wants(settings, "embedded")) rows.push(...(await runEmbeddedFootprint(settings, log)));
    if (wants(settings, "chat-list")) {
      const client = new HttpClient(stack.gateways[0], 1);
      try {
        rows.push(...(await runChatList(settings, stack, fixtures, client, log, row)));
      } finally {
        client.close();
      }
    }
  } finally {
    send?.b1Client.close();
    for (const client of send?.talkClients ?? []) client.close();
    await send?.b1.stop();
    await fixtures.close().catch(() => undefined);
    log("stopping the stack");
    await stack.stop();
  }
  if (wants(settings, "variants"))
    for (const variant of settings.sendVariants) await sendVariantRows(settings, variant, rows);
  results.durationSeconds = (Date.now() - started) / 1000;
  // The opt-in chat-list scenario, and the embedded mode run alone, keep their own latest figures
  // (their stamped results can still be merged into latest.* with --merge).
  const only = settings.only?.join(",");
  if (only !== "chat-list") withOtherFigures(results);
  const files = writeResults(
    results,
    only === "chat-list" || only === "embedded" ? `${only}-latest` : undefined,
  );
  process.stdout.write("\n" + markdown(results) + "\n");
  log(`written ${files.md} and ${files.json}`);
}

runCommand("bench", main);
