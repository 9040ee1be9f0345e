/**
 * `pnpm drill`: fault drills against the distributed stack (two replicas of every service) under
 * a steady send load, with WebSocket readers. Each drill runs in its own chat:
 *
 *   1. RabbitMQ stopped for 10 s, then started again;
 *   2. RabbitMQ killed (SIGKILL), then started again;
 *   3. one message-manager replica killed (SIGKILL) mid-load (clients retry with their Idempotency-Key);
 *   4. PostgreSQL (which holds message-manager's database) restarted;
 *   5. one push replica killed (SIGKILL): its readers resume, with their cursor, on the other;
 *   6. PostgreSQL killed (SIGKILL) under load, then started (crash recovery on durable settings);
 *   7. the TCP path between one message-manager replica and RabbitMQ blackholed for 30 s (every
 *      byte dropped, nothing closed): heartbeats must notice, callers get 503 within the RPC
 *      timeout, and nothing is lost after;
 *   8. overload: the send capacity measured, then an open-loop load of 0.5×, 1×, 1.5× and (for a
 *      minute) 2× that capacity — goodput, latency of what is accepted, how fast the excess is
 *      refused, and memory;
 *   9. a soak (30 minutes; --soak-minutes N): steady load, every process's memory and open
 *      descriptors sampled for growth.
 *
 * `pnpm drill --cluster` runs the stack on a local 3-node RabbitMQ cluster (quorum queues and the push
 * stream on 3 replicas, every service given every node's address) and runs the cluster drills instead:
 *   C1. SIGKILL of the broker node that leads the chat-changes queue (and, as the services declared
 *       their queues through the first node, the message-manager RPC queue), started again 15 s later;
 *   C2. that node killed and its data folder deleted: it joins again empty and gets its replicas back.
 *   C3. that node partitioned: every packet from and to it blackholed for 30 s (its clients' and the
 *       other nodes'), then healed; needs root (each node in its own network namespace), else it is
 *       skipped and says so.
 * A membership change (a participant added, retried with its Idempotency-Key) is made during each
 * cluster fault and must be applied exactly once.
 *
 * `pnpm drill --pg-failover` gives message-manager's and chat-manager's databases each a primary with a
 * synchronous standby (the services get both addresses in DATABASE_HOSTS) and runs the failover drills:
 *   P1. message-manager's primary killed (SIGKILL), its standby promoted, the old primary back as the
 *       new standby (pg_rewind);
 *   P2. the same for chat-manager's database;
 * each with a membership change during the fault, applied exactly once.
 *
 * Afterwards it compares the database with what the clients got: every acknowledged message stored
 * once; every reader got every event of the chat once and in order. It reports the time to recover,
 * the errors clients saw, and lost, duplicated and reordered counts; it exits 1 if any is not zero.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { CHAT_CHANGES_SUBSCRIPTION, RPC_QUEUES } from "@talk/contracts";
import {
  type RabbitClusterHandle,
  type ReplicatedPostgresHandle,
  isolatedNetworkUnavailable,
} from "@talk/testkit";
import { BlackholeRelay } from "./drills/blackhole";
import { type MembershipChange, addParticipantReliably, systemMessageCount } from "./drills/membership";
import { renice } from "./drills/host-signals";
import { type OverloadResult, overloadMarkdown, runOverload } from "./drills/overload";
import { PARTITION_MS, partitionNode, partitionUnavailable } from "./drills/partition";
import { Reader } from "./drills/reader";
import { SOAK_RULE, type SoakResult, soak } from "./drills/soak";
import { type Acked, SendLoad } from "./drills/senders";
import { BenchChild } from "./lib/child";
import { Fixtures } from "./lib/fixtures";
import { HttpClient } from "./lib/http";
import { type BenchStack, profiled, startStack } from "./lib/stack";
import { sleep } from "./lib/stats";
import { systemInfo } from "./lib/system-info";
import { runCommand } from "./lib/run";

const log = (line: string) =>
  process.stdout.write(`[drill ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const SENDERS = 6;
const READERS = 6;
const SEND_INTERVAL_MS = 50;
/** The clients' idle close against a gateway on Node's own 5 s keep-alive (before it can race a reuse). */
const NODE_KEEP_ALIVE_IDLE_CLOSE_MS = 4000;

/** Processes that share the overload drill's open loop. */
const LOAD_GENERATORS = 3;
const BEFORE_FAULT_MS = 3000;
const AFTER_FAULT_MS = 8000;

interface Fault {
  name: string;
  /** Does the fault; resolves at the moment it is over (the restart done, or the kill itself). */
  run(stack: BenchStack): Promise<number>;
  /** Puts the stack back for the next drill (e.g. restarts a killed replica). */
  restore?(stack: BenchStack): Promise<void>;
  /** Whether a participant is added during the fault (and must be applied exactly once). */
  membershipChange?: boolean;
  /** Why this machine cannot do the fault (it is then skipped, and the report says so). */
  unavailable?(stack: BenchStack): string | undefined;
}

const BLACKHOLE_MS = 30_000;
/** Relays one message-manager replica's broker connection (drill 7); set up by main. */
let relay: BlackholeRelay | undefined;

const FAULTS: Fault[] = [
  {
    name: "RabbitMQ stopped for 10 s, then started",
    async run(stack) {
      await stack.distributed.rabbit.stop();
      await sleep(10_000);
      await stack.distributed.rabbit.start();
      return Date.now();
    },
  },
  {
    name: "RabbitMQ killed (SIGKILL), then started",
    async run(stack) {
      await stack.distributed.rabbit.kill();
      await stack.distributed.rabbit.start();
      return Date.now();
    },
  },
  {
    name: "a message-manager replica killed (SIGKILL) mid-load",
    async run(stack) {
      await stack.distributed.byService("message-manager")[0].kill();
      return Date.now();
    },
    async restore(stack) {
      await stack.distributed.byService("message-manager")[0].start();
    },
  },
  {
    name: "PostgreSQL (message-manager's database) restarted",
    async run(stack) {
      await stack.distributed.postgres.stop();
      await stack.distributed.postgres.start();
      return Date.now();
    },
  },
  {
    name: "a push replica killed (SIGKILL): its readers resume on the other",
    async run(stack) {
      await stack.push[0].kill();
      return Date.now();
    },
    async restore(stack) {
      await stack.push[0].start();
    },
  },
  {
    name: "PostgreSQL killed (SIGKILL) under load, then started",
    async run(stack) {
      await stack.distributed.postgres.kill();
      await stack.distributed.postgres.start();
      return Date.now();
    },
  },
  {
    name: `the TCP path between a message-manager replica and RabbitMQ blackholed for ${BLACKHOLE_MS / 1000} s`,
    async run() {
      if (!relay) throw new Error("the blackhole relay is not set up");
      relay.set(true);
      await sleep(BLACKHOLE_MS);
      relay.set(false);
      return Date.now();
    },
  },
];

/** `--cluster`: the stack runs on a 3-node RabbitMQ cluster, and the cluster drills run. */
const clustered = process.argv.includes("--cluster");
/** A run of the cluster or the failover drills only: their rows join the latest report's. */
const special = clustered || process.argv.includes("--pg-failover");
const CLUSTER_NODES = 3;
/** Why the cluster's nodes could not each get their own network namespace (the partition drill needs it). */
const notIsolated = clustered ? isolatedNetworkUnavailable() : undefined;
const NODE_DOWN_MS = 15_000;

function clusterOf(stack: BenchStack): RabbitClusterHandle {
  const cluster = stack.distributed.rabbitCluster;
  if (!cluster) throw new Error("the cluster drills need the stack on a RabbitMQ cluster (--cluster)");
  return cluster;
}

/** Kills the node leading the chat-changes queue; says which leaders were on it. */
async function killChatChangesLeader(stack: BenchStack): Promise<number> {
  const cluster = clusterOf(stack);
  const node = await cluster.leaderOf(CHAT_CHANGES_SUBSCRIPTION.queue);
  const rpc = await cluster.leaderOf(RPC_QUEUES.messageManager);
  log(
    `leaders: ${CHAT_CHANGES_SUBSCRIPTION.queue} on node ${node + 1}, ${RPC_QUEUES.messageManager} on node ${rpc + 1}; killing node ${node + 1}`,
  );
  await cluster.nodes[node].kill();
  return node;
}

const CLUSTER_FAULTS: Fault[] = [
  {
    name: `3-node cluster: SIGKILL of the broker node leading the chat-changes and message-manager RPC queues, started again ${NODE_DOWN_MS / 1000} s later`,
    membershipChange: true,
    async run(stack) {
      const node = await killChatChangesLeader(stack);
      const killedAt = Date.now();
      await sleep(NODE_DOWN_MS);
      await clusterOf(stack).nodes[node].start();
      log(`node ${node + 1} started again`);
      return killedAt;
    },
  },
  {
    name: "3-node cluster: the leading node killed and its data folder deleted before it rejoins",
    membershipChange: true,
    async run(stack) {
      const node = await killChatChangesLeader(stack);
      const killedAt = Date.now();
      await sleep(NODE_DOWN_MS);
      await clusterOf(stack).replaceNode(node);
      log(`node ${node + 1} joined again with an empty data folder; replicas grown back`);
      return killedAt;
    },
  },
  {
    name: `3-node cluster: the broker node leading the chat-changes queue partitioned (every packet from and to it dropped, nothing closed) for ${PARTITION_MS / 1000} s, then healed`,
    membershipChange: true,
    unavailable: (stack) => partitionUnavailable(stack.distributed.rabbitCluster, notIsolated),
    async run(stack) {
      const cluster = clusterOf(stack);
      const node = await cluster.leaderOf(CHAT_CHANGES_SUBSCRIPTION.queue);
      log(`leader of ${CHAT_CHANGES_SUBSCRIPTION.queue} on node ${node + 1}: partitioning it`);
      return partitionNode(cluster, node, log);
    },
  },
];

/** `--pg-failover`: message-manager's and chat-manager's databases on a primary and a synchronous standby. */
const pgFailover = process.argv.includes("--pg-failover");
const FAILOVER_DATABASES = ["message-manager", "chat-manager"] as const;
/** How long the primary is down before the standby is promoted: an operator's detection time. */
const PROMOTE_AFTER_MS = 2000;

function replicatedOf(stack: BenchStack, service: string): ReplicatedPostgresHandle {
  const server = stack.distributed.replicatedPostgres[service];
  if (!server) throw new Error(`the failover drills need ${service}'s database replicated (--pg-failover)`);
  return server;
}

/** Kills the primary of `service`'s database, promotes its standby, brings the old primary back as the standby. */
const failover = (service: string): Fault => ({
  name: `PostgreSQL failover: ${service}'s primary killed (SIGKILL), its synchronous standby promoted ${PROMOTE_AFTER_MS / 1000} s later, the old primary back as the standby`,
  membershipChange: true,
  async run(stack) {
    const server = replicatedOf(stack, service);
    const old = server.primary;
    const standby = server.nodes.findIndex((node) => node.role === "standby");
    await server.kill();
    const killedAt = Date.now();
    log(`${service}: primary (node ${old + 1}) killed`);
    await sleep(PROMOTE_AFTER_MS);
    await server.promote(standby);
    log(`${service}: node ${standby + 1} promoted ${Date.now() - killedAt} ms after the kill`);
    const { method } = await server.rejoin(old);
    log(
      `${service}: node ${old + 1} is the synchronous standby again (${method}), ${Date.now() - killedAt} ms after the kill`,
    );
    return killedAt;
  },
});

const PG_FAILOVER_FAULTS: Fault[] = FAILOVER_DATABASES.map(failover);

/** The latest report as kept in drill-latest.json. */
interface Latest {
  system: Awaited<ReturnType<typeof systemInfo>>;
  results: DrillResult[];
  overload?: OverloadResult;
  soak?: SoakResult;
  seconds: number;
}

/** Order in the report: the single-broker drills, then the cluster drills. */
const drillNumber = (name: string) => {
  const single = FAULTS.findIndex((f) => f.name === name);
  if (single >= 0) return single;
  const failoverDrill = PG_FAILOVER_FAULTS.findIndex((f) => f.name === name);
  if (failoverDrill >= 0) return 200 + failoverDrill;
  return 100 + CLUSTER_FAULTS.findIndex((f) => f.name === name);
};

/** Drill numbers after the faults: the overload drill and the soak. */
const OVERLOAD_DRILL = FAULTS.length + 1;
const SOAK_DRILL = FAULTS.length + 2;

interface DrillResult {
  drill: string;
  /** From the end of the fault until every sender had a send acknowledged and every reader an event again. */
  recoveryMs: number;
  /** Longest time a send took to be acknowledged (retries included). */
  longestSendMs: number;
  clientErrors: number;
  acked: number;
  stored: number;
  lostMessages: number;
  duplicatedMessages: number;
  storedNotAcked: number;
  refused: number;
  eventsExpected: number;
  eventsLost: number;
  eventsDuplicated: number;
  eventsReordered: number;
  readerReconnects: number;
  resyncs: number;
  /** Join system messages the membership change made during the fault left (must be 1), if one was made. */
  membershipApplied?: number;
  /** Why the drill did not run on this machine (every figure is then 0). */
  skipped?: string;
  ok: boolean;
}

async function storedMessages(
  stack: BenchStack,
  chatId: string,
): Promise<{ messages: { id: string; text: string }[]; seq: number }> {
  const client = new pg.Client({ connectionString: stack.distributed.databaseUrl("message-manager") });
  await client.connect();
  try {
    const messages = await client.query<{ id: string; text: string }>(
      "select id, text from talk_messages where chat_id = $1 and type = 'normal'",
      [chatId],
    );
    const chat = await client.query<{ seq: string }>("select seq from chats where id = $1", [chatId]);
    return { messages: messages.rows, seq: Number(chat.rows[0]?.seq ?? 0) };
  } finally {
    await client.end();
  }
}

async function runDrill(
  fault: Fault,
  stack: BenchStack,
  fixtures: Fixtures,
  people: Awaited<ReturnType<typeof cast>>,
): Promise<DrillResult> {
  const chatId = await fixtures.groupChat(
    [people.admin, ...people.senders, ...people.readerAgents],
    `drill: ${fault.name}`,
  );
  await sleep(500);
  const gateways = stack.gateways.map((url) => new HttpClient(url, 16, 10_000));
  const load = new SendLoad(gateways, () => chatId, SEND_INTERVAL_MS);
  load.start(people.senders);
  await sleep(BEFORE_FAULT_MS);
  // after a failover the database is on the other node
  const messageDb = () => stack.distributed.databaseUrl("message-manager");
  const joinsBefore = fault.membershipChange ? await systemMessageCount(messageDb(), chatId) : 0;
  log(`${fault.name}: fault`);
  const faultStart = Date.now();
  const membership: Promise<MembershipChange> | undefined = fault.membershipChange
    ? sleep(1000).then(() =>
        addParticipantReliably(
          gateways,
          people.admin.token,
          chatId,
          people.spares[drillNumber(fault.name) % people.spares.length].id,
        ),
      )
    : undefined;
  const faultEnd = await fault.run(stack);
  log(`${fault.name}: fault over after ${((faultEnd - faultStart) / 1000).toFixed(1)} s; load goes on`);
  await sleep(AFTER_FAULT_MS);
  await load.stop();
  // Quiescence: every reader has every acknowledged message (bounded wait).
  const ackedIds = new Set(load.acked.map((a) => a.id));
  const deadline = Date.now() + 60_000;
  const complete = () =>
    people.readers.every((r) => {
      const got = new Set(
        r.events.filter((e) => e.chatId === chatId && e.type === "chatmessage_created").map((e) => e.id),
      );
      return [...ackedIds].every((id) => got.has(id));
    });
  while (!complete() && Date.now() < deadline) await sleep(100);
  await sleep(1000); // and nothing more arrives late
  let membershipApplied: number | undefined;
  if (membership) {
    const change = await membership;
    const joinsDeadline = Date.now() + 60_000;
    const joins = async () => (await systemMessageCount(messageDb(), chatId)) - joinsBefore;
    while (change.acked && (await joins()) < 1 && Date.now() < joinsDeadline) await sleep(200);
    await sleep(1000);
    membershipApplied = change.acked ? await joins() : 0;
    log(
      `membership change during the fault: ${change.acked ? `acknowledged after ${change.attempts} attempt(s)` : "never acknowledged"}, ${membershipApplied} join message(s)`,
    );
  }
  for (const gateway of gateways) gateway.close();
  await fault.restore?.(stack);

  const { messages, seq: finalSeq } = await storedMessages(stack, chatId);
  const storedIds = new Set(messages.map((m) => m.id));
  const textCounts = new Map<string, number>();
  for (const m of messages) textCounts.set(m.text, (textCounts.get(m.text) ?? 0) + 1);
  const lostMessages = [...ackedIds].filter((id) => !storedIds.has(id)).length;
  const duplicatedMessages =
    [...textCounts.values()].reduce((sum, n) => sum + (n - 1), 0) + (load.acked.length - ackedIds.size);
  const ackedTexts = new Set(load.acked.map((a) => a.text));
  const storedNotAcked = messages.filter((m) => !ackedTexts.has(m.text)).length;

  let eventsExpected = 0;
  let eventsLost = 0;
  let eventsDuplicated = 0;
  let eventsReordered = 0;
  let firstDelivery = faultEnd;
  for (const reader of people.readers) {
    const events = reader.events.filter((e) => e.chatId === chatId);
    const seen = new Set<number>();
    let highest = 0;
    for (const e of events) {
      if (seen.has(e.seq)) eventsDuplicated++;
      else if (e.seq < highest) eventsReordered++;
      seen.add(e.seq);
      highest = Math.max(highest, e.seq);
    }
    // A participant gets a chat's events from its own chatparticipant_added on (SPEC §4).
    const joined = events.find((e) => e.type === "chatparticipant_added" && e.owner === reader.agentId);
    const from = joined?.seq ?? 1;
    for (let s = from; s <= finalSeq; s++) {
      eventsExpected++;
      if (!seen.has(s)) eventsLost++;
    }
    const after = events.find((e) => e.at >= faultEnd && e.type === "chatmessage_created");
    firstDelivery = Math.max(firstDelivery, after?.at ?? Infinity);
  }
  let firstAck = faultEnd;
  for (const sender of people.senders) {
    const mine = load.acked.filter(
      (a) => a.text.startsWith(`drill ${sender.id.slice(0, 8)} `) && a.ackedAt >= faultEnd,
    );
    firstAck = Math.max(firstAck, mine.length ? Math.min(...mine.map((a) => a.ackedAt)) : Infinity);
  }
  const acked: Acked[] = load.acked;
  const result: DrillResult = {
    drill: fault.name,
    recoveryMs: Math.max(firstAck, firstDelivery) - faultEnd,
    longestSendMs: Math.max(...acked.map((a) => a.ackedAt - a.startedAt)),
    clientErrors: load.failures.length + people.readers.reduce((sum, r) => sum + r.connectErrors, 0),
    acked: acked.length,
    stored: messages.length,
    lostMessages,
    duplicatedMessages,
    storedNotAcked,
    refused: load.refused.length,
    eventsExpected,
    eventsLost,
    eventsDuplicated,
    eventsReordered,
    readerReconnects: people.readers.reduce((sum, r) => sum + r.reconnects, 0),
    resyncs: people.readers.reduce((sum, r) => sum + r.resyncs, 0),
    membershipApplied,
    ok: false,
  };
  result.ok =
    Number.isFinite(result.recoveryMs) &&
    (membershipApplied === undefined || membershipApplied === 1) &&
    [
      lostMessages,
      duplicatedMessages,
      storedNotAcked,
      load.refused.length,
      eventsLost,
      eventsDuplicated,
      eventsReordered,
      result.resyncs,
    ].every((n) => n === 0);
  for (const r of people.readers) r.reconnects = r.resyncs = r.connectErrors = 0;
  if (load.refused.length) log(`refused sends: ${load.refused.slice(0, 3).join(" | ")}`);
  return result;
}

/** The row of a drill this machine cannot do: no figures, the reason, and not a pass. */
function skippedDrill(drill: string, reason: string): DrillResult {
  return {
    drill,
    recoveryMs: NaN,
    longestSendMs: NaN,
    clientErrors: 0,
    acked: 0,
    stored: 0,
    lostMessages: 0,
    duplicatedMessages: 0,
    storedNotAcked: 0,
    refused: 0,
    eventsExpected: 0,
    eventsLost: 0,
    eventsDuplicated: 0,
    eventsReordered: 0,
    readerReconnects: 0,
    resyncs: 0,
    skipped: reason,
    ok: false,
  };
}

/** Who takes part: an admin (creates the chats), steady senders, and readers over WebSocket. */
async function cast(stack: BenchStack, fixtures: Fixtures) {
  const customer = await fixtures.customer();
  const agents = await fixtures.agents(
    customer,
    1 + SENDERS + READERS + Math.max(CLUSTER_FAULTS.length, PG_FAILOVER_FAULTS.length),
  );
  const [admin, ...rest] = agents;
  const senders = rest.slice(0, SENDERS);
  const readerAgents = rest.slice(SENDERS, SENDERS + READERS);
  /** Added to a drill's chat during its fault (the membership change). */
  const spares = rest.slice(SENDERS + READERS);
  const readers = readerAgents.map(
    (a, i) => new Reader(a.id, a.token, () => stack.push.map((p) => p.url), i),
  );
  await Promise.all(readers.map((r) => r.start()));
  return { admin, senders, readerAgents, readers, spares };
}

const duration = (ms: number) =>
  !Number.isFinite(ms) ? "never" : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;

function markdown(
  results: DrillResult[],
  system: Awaited<ReturnType<typeof systemInfo>>,
  seconds: number,
  overload?: OverloadResult,
  soaked?: SoakResult,
): string {
  const lines = [
    `### Talk fault drills — ${system.date.slice(0, 16).replace("T", " ")} UTC, commit ${system.commit}`,
    "",
    `Machine: ${system.cpus} × ${system.cpu}, ${system.os}; Node ${system.node}, PostgreSQL ${system.postgres}, RabbitMQ ${system.rabbitmq}.`,
    "PostgreSQL on production durability (fsync, full_page_writes and synchronous_commit on): a restart or a kill proves what a real deployment keeps.",
    `Load: ${SENDERS} senders, one message each per ${SEND_INTERVAL_MS} ms (retrying with their Idempotency-Key), ${READERS} WebSocket readers resuming with their cursor; 2 replicas of every service.`,
    "",
    "| Drill | Recovery | Longest send | Client errors | Acked / stored | Lost · dup. messages | Events checked | Lost · dup. · reordered events | Reader reconnects | Membership change applied | Result |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results)
    lines.push(
      r.skipped
        ? `| ${r.drill} | skipped: ${r.skipped} ||||||||| ⚠️ not run |`
        : `| ${r.drill} | ${duration(r.recoveryMs)} | ${duration(r.longestSendMs)} | ${r.clientErrors} | ${r.acked} / ${r.stored} | ${r.lostMessages} · ${r.duplicatedMessages} | ${r.eventsExpected} | ${r.eventsLost} · ${r.eventsDuplicated} · ${r.eventsReordered} | ${r.readerReconnects} | ${r.membershipApplied === undefined ? "–" : `${r.membershipApplied}×`} | ${r.ok ? "✅" : "❌"} |`,
    );
  lines.push(
    "",
    "Recovery: from the end of the fault (the restart done, or the kill) until every sender had a send acknowledged and every reader a new message again. Client errors: failed send attempts (then retried) and failed reconnections.",
    ...(results.some((r) => r.drill.startsWith("3-node cluster"))
      ? [
          "",
          `The 3-node cluster rows (\`pnpm drill --cluster\`) ran on ${CLUSTER_NODES} local rabbitmq-server nodes: every durable queue a quorum queue with 3 replicas, the push stream on 3 replicas, every service given the three addresses. Recovery there counts from the kill. Membership change: a participant added during the fault (retried with its Idempotency-Key), and the join messages it left (exactly 1 is right).`,
          "",
          `The partition row: each node in its own network namespace behind a router namespace, where two policy rules blackhole every packet from and to the node leading the chat-changes queue (its AMQP clients' and the Erlang distribution to the other nodes; nothing closed, no ICMP) for ${PARTITION_MS / 1000} s; the nodes run \`cluster_partition_handling = pause_minority\` and \`net_ticktime = 15\`. Recovery counts from the cut.`,
        ]
      : []),
    ...(results.some((r) => r.drill.startsWith("PostgreSQL failover"))
      ? [
          "",
          `The PostgreSQL failover rows (\`pnpm drill --pg-failover\`) ran with message-manager's and chat-manager's databases each on a primary and a synchronous streaming standby (\`synchronous_standby_names = '*'\`, \`synchronous_commit = on\`, fsync and full_page_writes on), the services given both addresses (\`DATABASE_HOSTS\`: each new connection goes to the one that accepts writes). The primary is killed with SIGKILL, the standby promoted ${PROMOTE_AFTER_MS / 1000} s later (standing in for an operator's detection), then the old primary rewound (pg_rewind) and started as the new synchronous standby while the load goes on. Recovery counts from the kill. Membership change as above.`,
        ]
      : []),
    "",
  );
  if (overload) lines.push(...overloadMarkdown(overload, OVERLOAD_DRILL, fixedAdmission));
  if (soaked) {
    lines.push(
      `#### Soak (drill ${SOAK_DRILL}): ${soaked.minutes} minutes of steady load (${SENDERS} senders, one message each per ${SEND_INTERVAL_MS} ms, ${READERS} readers)`,
      "",
      "| Process | RSS after warm-up → at the end (max) | Open descriptors after warm-up → at the end | Result |",
      "|---|---|---|---|",
      ...soaked.processes.map(
        (p) =>
          `| ${p.name} | ${p.firstRssMb.toFixed(0)} → ${p.lastRssMb.toFixed(0)} MB (${p.maxRssMb.toFixed(0)}) | ${p.firstFds} → ${p.lastFds} | ${p.ok ? "✅" : "❌"} |`,
      ),
      "",
      `Rule: ${SOAK_RULE}.`,
      "",
    );
  }
  lines.push(`Whole run: ${Math.round(seconds)} s.`);
  return lines.join("\n") + "\n";
}

/** `--only 1,3`: just those drills (numbered as above); they replace their own rows in the latest report. */
const only = (() => {
  const at = process.argv.indexOf("--only");
  if (at < 0) return undefined;
  const numbers = String(process.argv[at + 1] ?? "")
    .split(",")
    .map(Number);
  for (const n of numbers)
    if (!Number.isInteger(n) || n < 1 || n > SOAK_DRILL)
      throw new Error(`--only: drills are numbered 1 to ${SOAK_DRILL}, got ${process.argv[at + 1]}`);
  return new Set(numbers);
})();
const selected = (faults: Fault[]) => faults.filter((_, i) => !only || only.has(i + 1));
const wanted = (drill: number) => !only || only.has(drill);
/**
 * `--fixed-admission`: the gateways keep only their fixed in-flight limit (no adaptive limit, no
 * event-loop rule) — the comparison run for the overload drill, written to its dated report only.
 */
const fixedAdmission = process.argv.includes("--fixed-admission");
/**
 * `--connection-per-request`: the overload drill offers its 2× minute once more from clients that
 * open a connection per request (its earlier model), for comparison with keep-alive API clients.
 */
const connectionPerRequest = process.argv.includes("--connection-per-request");
/**
 * `--compare-lag-only`: …and once more with the gateways restarted with
 * `OVERLOAD_EVENT_LOOP_BUSY_PERCENT=0` (the event-loop rule judging lateness alone).
 */
const compareLagOnly = process.argv.includes("--compare-lag-only");
/**
 * `--compare-fixed`: …and once more with the gateways restarted with their fixed in-flight limit only
 * (`OVERLOAD_LATENCY_TOLERANCE_PERCENT=0`, `OVERLOAD_EVENT_LOOP_LAG_MS=0`), as `--fixed-admission` runs
 * throughout, then once more as configured (restarted): the two alternate, so a backlog left by an
 * earlier minute does not favour one.
 */
const compareFixed = process.argv.includes("--compare-fixed");
/**
 * `--compare-connections`: …and once more with the gateways restarted on Node's own connection
 * settings (`HTTP_KEEP_ALIVE_SECONDS=5`, `HTTP_LISTEN_BACKLOG=511`; the clients close idle
 * connections after 4 s to match), then once more as configured.
 */
const compareConnections = process.argv.includes("--compare-connections");
/**
 * The overload drill runs the gateways and its load generators ahead of the other processes
 * (nice FRONT_NICE): the gateways as a deployment gives its front door CPU first (cores or CPU
 * weight of their own), the generators because real clients have their own machines.
 * `--equal-priority`: every process at the same priority throughout (a comparison run, dated
 * report only). `--compare-priority`: the 2× minute once more with the gateways at the services'
 * priority (generators still first), then once more as configured.
 */
const equalPriority = process.argv.includes("--equal-priority");
const comparePriority = process.argv.includes("--compare-priority");
const FRONT_NICE = -20;
/** `--compare-nice N`: the 2× minute once more with the gateways and the generators at nice N, then as configured. */
const compareNice = (() => {
  const at = process.argv.indexOf("--compare-nice");
  if (at < 0) return undefined;
  const nice = Number(process.argv[at + 1]);
  if (!Number.isInteger(nice) || nice < -20 || nice > 19)
    throw new Error(`--compare-nice: a nice value from -20 to 19, got ${process.argv[at + 1]}`);
  return nice;
})();
/**
 * `--cpu-prof DIR`: every service writes a V8 CPU profile of the overload drill's 2× minute to DIR
 * (summarise one with `npx tsx bench/src/profile-summary.ts <file>`).
 */
const cpuProf = (() => {
  const at = process.argv.indexOf("--cpu-prof");
  return at < 0 ? undefined : process.argv[at + 1];
})();
const soakMinutes = (() => {
  const at = process.argv.indexOf("--soak-minutes");
  const minutes = at < 0 ? 30 : Number(process.argv[at + 1]);
  if (!(minutes > 0)) throw new Error(`--soak-minutes: a positive number, got ${process.argv[at + 1]}`);
  return minutes;
})();

/** Every Talk service process of the stack, for memory and descriptor samples. */
const talkProcesses = (stack: BenchStack) => () =>
  stack.distributed.processes
    .filter((p) => p.pid !== undefined)
    .map((p) => ({ name: p.spec.name, pid: p.pid ?? 0 }));

/** Routes the first message-manager replica's broker connection through a relay (drill 7). */
async function relayMessageManager(stack: BenchStack): Promise<BlackholeRelay> {
  const broker = new URL(stack.rabbitUrl);
  const created = await BlackholeRelay.start({ host: broker.hostname, port: Number(broker.port) });
  const replica = stack.distributed.byService("message-manager")[0];
  replica.spec.env.RABBITMQ_URL = created.via(stack.rabbitUrl);
  await replica.stop();
  await replica.start();
  return created;
}

/** Restarts every gateway replica with `env` changed (undefined: removed). */
async function restartGateways(stack: BenchStack, env: Record<string, string | undefined>): Promise<void> {
  for (const gateway of stack.distributed.byService("api-gateway")) {
    for (const [name, value] of Object.entries(env))
      if (value === undefined) delete gateway.spec.env[name];
      else gateway.spec.env[name] = value;
    await gateway.stop();
    await gateway.start();
  }
}

/** The gateways' processes at `nice` (every thread; renice needs root below 0). */
const reniceGateways = (stack: BenchStack, nice: number) => {
  for (const gateway of stack.distributed.byService("api-gateway"))
    if (gateway.pid) renice(gateway.pid, nice);
};

async function overloadDrill(stack: BenchStack, fixtures: Fixtures): Promise<OverloadResult> {
  const customer = await fixtures.customer();
  const agents = await fixtures.agents(customer, 33);
  const senders = [];
  for (let i = 0; i < 32; i++)
    senders.push({
      token: agents[i].token,
      chatId: await fixtures.groupChat([agents[i], agents[i + 1]], `overload ${i}`),
    });
  const closedLoop = stack.gateways.map((url) => new HttpClient(url, 128, 30_000));
  // the open loop from a few processes, so one generator's event loop does not delay every answer
  const generators = await Promise.all(
    Array.from({ length: LOAD_GENERATORS }, (_, i) =>
      BenchChild.start(`load generator ${i + 1}`, "servers/load-generator.ts"),
    ),
  );
  const frontNice = equalPriority ? 0 : FRONT_NICE;
  for (const generator of generators) renice(generator.pid, frontNice);
  reniceGateways(stack, frontNice);
  /** Restarted gateways run at the drill's priority too. */
  const restartFront = async (env: Record<string, string | undefined>) => {
    await restartGateways(stack, env);
    reniceGateways(stack, frontNice);
  };
  try {
    const result = await runOverload(
      { closedLoop, openLoop: { generators, keepAlive: true } },
      senders,
      talkProcesses(stack),
      stack.gateways,
      // the capacity at the bench's send concurrency: a closed loop far wider only measures how
      // fast its workers are refused
      {
        concurrency: 32,
        capacitySeconds: 10,
        // half a minute a step: in 10 s steps the stack front-loads work (outbox, push) and served
        // 1038/s in a ramp step, then 529/s when offered as much in the curve
        stepSeconds: 30,
        overloadSeconds: 60,
        around2x: (work) => profiled(cpuProf, stack, work),
        comparisons: [
          ...(connectionPerRequest ? [{ phase: "connection per request", keepAlive: false }] : []),
          ...(compareLagOnly
            ? [
                {
                  phase: "event-loop rule on lateness alone",
                  prepare: () => restartFront({ OVERLOAD_EVENT_LOOP_BUSY_PERCENT: "0" }),
                  restore: () => restartFront({ OVERLOAD_EVENT_LOOP_BUSY_PERCENT: undefined }),
                },
              ]
            : []),
          ...(compareFixed
            ? [
                {
                  phase: "fixed in-flight limit only",
                  prepare: () =>
                    restartFront({
                      OVERLOAD_LATENCY_TOLERANCE_PERCENT: "0",
                      OVERLOAD_EVENT_LOOP_LAG_MS: "0",
                    }),
                  restore: () =>
                    restartFront({
                      OVERLOAD_LATENCY_TOLERANCE_PERCENT: fixedAdmission ? "0" : "",
                      OVERLOAD_EVENT_LOOP_LAG_MS: fixedAdmission ? "0" : "",
                    }),
                },
                // and the run's own setting once more, so each condition has a minute before and after
                { phase: `${fixedAdmission ? "fixed in-flight limit only" : "default admission"} again` },
              ]
            : []),
          ...(comparePriority && !equalPriority
            ? [
                {
                  phase: "gateways at the services' priority",
                  prepare: async () => reniceGateways(stack, 0),
                  restore: async () => reniceGateways(stack, frontNice),
                },
                { phase: "gateways first again" },
              ]
            : []),
          ...(compareNice !== undefined
            ? [
                {
                  phase: `gateways and generators at nice ${compareNice}`,
                  prepare: async () => {
                    for (const generator of generators) renice(generator.pid, compareNice);
                    reniceGateways(stack, compareNice);
                  },
                  restore: async () => {
                    for (const generator of generators) renice(generator.pid, frontNice);
                    reniceGateways(stack, frontNice);
                  },
                },
                { phase: `gateways and generators at nice ${frontNice} again` },
              ]
            : []),
          ...(compareConnections
            ? [
                {
                  phase: "Node's keep-alive (5 s) and backlog (511)",
                  idleCloseMs: NODE_KEEP_ALIVE_IDLE_CLOSE_MS,
                  prepare: () => restartFront({ HTTP_KEEP_ALIVE_SECONDS: "5", HTTP_LISTEN_BACKLOG: "511" }),
                  restore: () =>
                    restartFront({
                      HTTP_KEEP_ALIVE_SECONDS: undefined,
                      HTTP_LISTEN_BACKLOG: undefined,
                    }),
                },
                { phase: "default connections again" },
              ]
            : []),
        ],
      },
      log,
    );
    return { ...result, frontNice };
  } finally {
    reniceGateways(stack, 0);
    for (const client of closedLoop) client.close();
    await Promise.all(generators.map((g) => g.stop()));
  }
}

async function soakDrill(
  stack: BenchStack,
  fixtures: Fixtures,
  people: Awaited<ReturnType<typeof cast>>,
): Promise<SoakResult> {
  const chatId = await fixtures.groupChat(
    [people.admin, ...people.senders, ...people.readerAgents],
    "drill: soak",
  );
  const gateways = stack.gateways.map((url) => new HttpClient(url, 16, 10_000));
  const load = new SendLoad(gateways, () => chatId, SEND_INTERVAL_MS);
  load.start(people.senders);
  // The readers keep receiving; what they got is dropped as it comes (this process is not measured).
  const trim = setInterval(() => {
    for (const reader of people.readers) reader.events.length = 0;
    load.acked.length = 0;
  }, 5000);
  try {
    return await soak(soakMinutes, talkProcesses(stack), log);
  } finally {
    clearInterval(trim);
    await load.stop();
    for (const gateway of gateways) gateway.close();
  }
}

async function main() {
  const started = Date.now();
  log(
    `starting the distributed stack (2 replicas of every service)${clustered ? ` on a ${CLUSTER_NODES}-node RabbitMQ cluster` : ""}${pgFailover ? `, ${FAILOVER_DATABASES.join("'s and ")}'s databases on a primary and a synchronous standby` : ""}`,
  );
  // admission control as configured by default (empty: the gateway's default), or fixed only
  const admission = fixedAdmission ? "0" : "";
  if (notIsolated)
    log(`the broker nodes share the loopback (${notIsolated}): the partition drill will be skipped`);
  const stack = await startStack(2, {
    cpuProf,
    durability: "durable",
    rabbitNodes: clustered ? CLUSTER_NODES : 1,
    rabbitIsolated: clustered && !notIsolated,
    replicatedDatabases: pgFailover ? FAILOVER_DATABASES : [],
    env: { OVERLOAD_LATENCY_TOLERANCE_PERCENT: admission, OVERLOAD_EVENT_LOOP_LAG_MS: admission },
  });
  if (fixedAdmission) log("gateways with their fixed in-flight limit only (--fixed-admission)");
  const system = await systemInfo(stack.postgresUrl, stack.rabbitUrl);
  log(`stack ready; service logs in ${stack.distributed.logDir}`);
  const results: DrillResult[] = [];
  let overload: OverloadResult | undefined;
  let soaked: SoakResult | undefined;
  const fixtures = await Fixtures.connect(stack.distributed);
  let people: Awaited<ReturnType<typeof cast>> | undefined;
  try {
    if (stack.push.length < 2) throw new Error("the drills need two push replicas");
    if (!special) relay = await relayMessageManager(stack);
    people = await cast(stack, fixtures);
    for (const fault of selected(clustered ? CLUSTER_FAULTS : pgFailover ? PG_FAILOVER_FAULTS : FAULTS)) {
      const unavailable = fault.unavailable?.(stack);
      if (unavailable) {
        log(`SKIPPED — ${fault.name}: ${unavailable}`);
        results.push(skippedDrill(fault.name, unavailable));
        continue;
      }
      log(`${fault.name}: steady load`);
      const result = await runDrill(fault, stack, fixtures, people);
      results.push(result);
      log(
        `${fault.name}: recovered in ${duration(result.recoveryMs)}; ${result.acked} acked, ${result.lostMessages} lost, ${result.duplicatedMessages} duplicated; events lost/dup/reordered ${result.eventsLost}/${result.eventsDuplicated}/${result.eventsReordered} ${result.ok ? "OK" : "FAILED"}`,
      );
    }
    if (!special && wanted(OVERLOAD_DRILL)) {
      overload = await overloadDrill(stack, fixtures);
      log(`overload: ${overload.ok ? "OK" : "FAILED"}: ${overload.verdict}`);
    }
    if (!special && wanted(SOAK_DRILL)) {
      log(`soak: ${soakMinutes} minutes of steady load`);
      soaked = await soakDrill(stack, fixtures, people);
      log(`soak: ${soaked.ok ? "OK" : "FAILED"}`);
    }
  } finally {
    await relay?.close();
    for (const reader of people?.readers ?? []) reader.stop();
    await fixtures.close().catch(() => undefined);
    log("stopping the stack");
    await stack.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  const text = markdown(results, system, seconds, overload, soaked);
  const dir = join(__dirname, "..", "results");
  mkdirSync(dir, { recursive: true });
  const stamp = system.date.replace(/[:]/g, "").replace(/\..*$/, "");
  writeFileSync(
    join(dir, `${stamp}-drill.json`),
    JSON.stringify({ system, results, overload, soak: soaked, seconds }, null, 2) + "\n",
  );
  writeFileSync(join(dir, `${stamp}-drill.md`), text);
  if (fixedAdmission || equalPriority || cpuProf) {
    // a comparison run or a profiled one (the profiler costs CPU): its dated report only
    process.stdout.write("\n" + text);
    return results.every((r) => r.ok) && overload?.ok !== false && soaked?.ok !== false;
  }
  // A run of every drill replaces the latest report; a run of some (--only) refreshes their rows in it.
  const latestFile = join(dir, "drill-latest.json");
  const latest: Latest =
    (only || special) && existsSync(latestFile)
      ? (JSON.parse(readFileSync(latestFile, "utf8")) as Latest)
      : { system, results: [], seconds: 0 };
  const merged: Latest = {
    system,
    results: [...latest.results.filter((r) => !results.some((n) => n.drill === r.drill)), ...results].sort(
      (a, b) => drillNumber(a.drill) - drillNumber(b.drill),
    ),
    overload: overload ?? latest.overload,
    soak: soaked ?? latest.soak,
    seconds: only || special ? latest.seconds : seconds,
  };
  writeFileSync(latestFile, JSON.stringify(merged, null, 2) + "\n");
  writeFileSync(
    join(dir, "drill-latest.md"),
    markdown(merged.results, system, merged.seconds, merged.overload, merged.soak),
  );
  process.stdout.write("\n" + text);
  return results.every((r) => r.ok) && overload?.ok !== false && soaked?.ok !== false;
}

/** `--report`: writes drill-latest.md again from drill-latest.json, running nothing. */
function reportOnly(): boolean {
  const dir = join(__dirname, "..", "results");
  const latest = JSON.parse(readFileSync(join(dir, "drill-latest.json"), "utf8")) as Latest;
  writeFileSync(
    join(dir, "drill-latest.md"),
    markdown(latest.results, latest.system, latest.seconds, latest.overload, latest.soak),
  );
  return true;
}

runCommand("drill", async () => (process.argv.includes("--report") ? reportOnly() : main()));
