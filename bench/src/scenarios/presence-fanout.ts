/**
 * Presence fan-out (issue 13): W watchers (agents of one customer, half on each push replica)
 * subscribed to `customer_id:<cid>:presence`; then C other agents of that customer connect at
 * once (half on each replica). Each agent's `online` frame is timed from the moment its socket
 * opened to its receipt on every watcher: the replicas report the connections to agent-manager,
 * which announces each change, which every replica sends to its watchers. B3 sends C frames of the
 * same bytes back to back to W bare `ws` sockets, each timed from just before its first send.
 */
import { BenchChild } from "../lib/child";
import type { Fixtures } from "../lib/fixtures";
import type { Row } from "../lib/report";
import { ratiosOf } from "../lib/report";
import type { BenchStack } from "../lib/stack";
import { Samples } from "../lib/stats";
import { WsClient, openMany } from "../lib/ws-clients";
import { receiptSamples, receiptsBySeq, until } from "./broadcast";
import { withSeq } from "./typing";

type Log = (line: string) => void;

export interface PresenceSettings {
  /** Agents connecting at once. */
  agents: number;
  /** Sockets subscribed to the customer's presence. */
  watchers: number;
}

const TIMEOUT_MS = 60_000;

export async function runPresenceFanout(
  settings: PresenceSettings,
  stack: BenchStack,
  fixtures: Fixtures,
  log: Log,
): Promise<Row[]> {
  const { agents: c, watchers: w } = settings;
  const replicaOf = (i: number) => stack.push[i % stack.push.length];
  log(`presence: ${w} watchers and ${c} agents of one customer`);
  const customer = await fixtures.customer();
  const people = await fixtures.agents(customer, w + c);
  const watchers = await openMany(w, 100, async (i) => {
    const client = await WsClient.connect(WsClient.pushUrl(replicaOf(i).url, people[i].token));
    await client.subscribe([`customer_id:${customer}:presence`]);
    return client;
  });
  const arriving = people.slice(w);
  const openedAt = new Map<string, bigint>();
  const receipts = new Map<string, bigint[]>();
  let template: string | undefined;
  for (const watcher of watchers)
    watcher.onFrame = (frame, at, raw) => {
      const data = frame.data as { agent_id?: string; status?: string } | undefined;
      if (frame.type !== "agent_presence" || data?.status !== "online" || !data.agent_id) return;
      template ??= raw;
      const list = receipts.get(data.agent_id);
      if (list) list.push(at);
      else receipts.set(data.agent_id, [at]);
    };
  log(`presence: ${c} agents connect at once over ${stack.push.length} push replicas`);
  const started = process.hrtime.bigint();
  const sockets = await openMany(c, 200, async (i) => {
    const client = await WsClient.connect(WsClient.pushUrl(replicaOf(i).url, arriving[i].token));
    openedAt.set(arriving[i].id, process.hrtime.bigint());
    return client;
  });
  await until(() => arriving.every((a) => (receipts.get(a.id)?.length ?? 0) >= w), TIMEOUT_MS);
  const talk = new Samples();
  let last = started;
  for (const agent of arriving) {
    const t0 = openedAt.get(agent.id) ?? started;
    const got = receipts.get(agent.id) ?? [];
    for (const t of got) {
      talk.add(Number(t - t0) / 1e6);
      if (t > last) last = t;
    }
    talk.errors += Math.max(0, w - got.length);
  }
  talk.seconds = Number(last - started) / 1e9;
  for (const socket of [...sockets, ...watchers]) socket.close();

  log(`presence: B3 sends ${c} frames back to back to ${w} bare sockets`);
  const b3 = await BenchChild.start("B3 ws broadcast", "servers/b3-ws-broadcast.ts");
  let base: Samples;
  try {
    const bare = await openMany(w, 100, () => WsClient.connect(`ws://127.0.0.1:${String(b3.info.port)}/`));
    await b3.request({ type: "template", template: withSeq(template) });
    const bySeq = receiptsBySeq(bare);
    const first = Math.floor(Math.random() * 1e9);
    const b3Started = process.hrtime.bigint();
    const answer = await b3.request({ type: "burst", base: first, count: c });
    const sent = new Map((answer.t0 as string[]).map((t, k) => [first + k, BigInt(t)]));
    await until(() => [...sent.keys()].every((seq) => (bySeq.get(seq)?.length ?? 0) >= w), TIMEOUT_MS);
    base = receiptSamples(sent, bySeq, w);
    const lastBare = [...bySeq.values()].flat().reduce((a, b) => (b > a ? b : a), b3Started);
    base.seconds = Number(lastBare - b3Started) / 1e9;
    for (const socket of bare) socket.close();
  } finally {
    await b3.stop();
  }
  const talkMeasured = { label: "Talk", summary: talk.summary(), extra: { all_delivered_s: talk.seconds } };
  const baseMeasured = { label: `B3 ${c} frames × ${w}`, summary: base.summary() };
  return [
    {
      id: `presence-${c}`,
      scenario: `Presence fan-out: ${c.toLocaleString("en-US")} agents connect at once, ${w.toLocaleString("en-US")} watchers subscribed to the customer's presence (2 push replicas); socket open → each watcher's online frame`,
      kind: "fanout",
      talk: talkMeasured,
      baseline: baseMeasured,
      ratios: ratiosOf("fanout", talkMeasured, baseMeasured),
      note:
        `every frame delivered ${talk.seconds.toFixed(1)} s after the first connect began (B3: ${base.seconds.toFixed(1)} s after its first send); ` +
        `the connects themselves take part of that (200 at a time)` +
        (talk.errors ? `; ${talk.errors} receipts missing after ${TIMEOUT_MS / 1000} s` : ""),
    },
  ];
}
