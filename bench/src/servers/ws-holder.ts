/**
 * A process that holds WebSockets for the connections and fan-out scenarios: one process can hold
 * at most as many sockets as its open-file limit (20,000 on this machine), and one source address
 * about 28,000 to one server port, so many sockets come from several of these, each from its own
 * 127.0.0.x address — and the reading of a large fan-out is spread over them, so the load
 * generator does not limit it.
 *
 * `open` connects (200 at a time) a group of sockets, subscribes each to its topic when given one,
 * and answers how many it holds; `count` and `close` as named. `listen` starts recording the
 * moment (process.hrtime, comparable across processes on Linux) every frame is read, by its key
 * (an event's `data.id`, or its `seq` for a group opened with `keyBy: "seq"`); `collect` waits (bounded) until every socket of a group
 * has read each of the given keys, then answers the latencies from each key's start and how many
 * receipts are missing, and forgets what it recorded.
 */
import { type ChildMessage, ready, serveParent } from "../lib/child";
import type { Frame } from "../lib/ws-clients";
import { WsClient, openMany } from "../lib/ws-clients";
import { sleep } from "../lib/stats";

const localAddress = process.env.WS_HOLDER_LOCAL_ADDRESS || undefined;
const groups = new Map<string, (WsClient | undefined)[]>();
/** Receipt moments by key, while listening. */
let receipts = new Map<string, bigint[]>();
/** The first message frame read (the fan-out's B3 sends frames of the same bytes). */
let sample: string | undefined;

const held = (group?: string) =>
  [...groups.entries()]
    .filter(([name]) => group === undefined || name === group)
    .reduce((sum, [, clients]) => sum + clients.filter((c) => c && !c.closed).length, 0);

/** What a group's frames are told apart by: an event's `data.id`, or (B3's copies of it) the `seq`. */
const keyBy = new Map<string, "id" | "seq">();

/** An event frame's `data.id` and its own `seq` (after the topic), found without parsing the frame. */
const ID = /^\{"type":"[^"]*","data":\{"id":"([^"]+)"/;
const SEQ = /"seq":(\d+),"cursor":/;

function keyOf(raw: string, by: "id" | "seq"): string | undefined {
  const found = (by === "id" ? ID : SEQ).exec(raw)?.[1];
  if (found !== undefined) return found;
  const frame = JSON.parse(raw) as Frame;
  const value = by === "id" ? frame.data?.id : frame.seq;
  return value === undefined ? undefined : String(value);
}

function recorder(by: "id" | "seq") {
  return (raw: string, at: bigint): void => {
    const key = keyOf(raw, by);
    if (key === undefined) return;
    if (by === "id" && raw.startsWith('{"type":"chatmessage_created"')) sample ??= raw;
    const list = receipts.get(key);
    if (list) list.push(at);
    else receipts.set(key, [at]);
  };
}

serveParent({
  async open(command: ChildMessage) {
    const sockets = command.sockets as { url: string; topic?: string }[];
    const group = String(command.group ?? "default");
    keyBy.set(group, command.keyBy === "seq" ? "seq" : "id");
    let errors = 0;
    let firstError: string | undefined;
    const opened = await openMany(sockets.length, 200, async (i) => {
      try {
        const client = await WsClient.connect(sockets[i].url, 30_000, localAddress);
        const topic = sockets[i].topic;
        if (topic) await client.subscribe([topic], 30_000);
        return client;
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
        return undefined;
      }
    });
    groups.set(group, [...(groups.get(group) ?? []), ...opened]);
    return { held: held(group), errors, firstError };
  },
  count(command: ChildMessage) {
    return { held: held(command.group === undefined ? undefined : String(command.group)) };
  },
  listen() {
    receipts = new Map();
    for (const [group, clients] of groups) {
      const record = recorder(keyBy.get(group) ?? "id");
      for (const client of clients) if (client) client.onRaw = record;
    }
    return {};
  },
  /** `starts`: key → hrtime (ns, as a string) the latency counts from; `group`: whose sockets must read each. */
  async collect(command: ChildMessage) {
    const starts = Object.entries(command.starts as Record<string, string>);
    const expected = held(String(command.group));
    const deadline = Date.now() + Number(command.timeoutMs ?? 15_000);
    while (starts.some(([key]) => (receipts.get(key)?.length ?? 0) < expected) && Date.now() < deadline)
      await sleep(20);
    const latencies: number[] = [];
    let missing = 0;
    for (const [key, start] of starts) {
      const got = receipts.get(key) ?? [];
      const t0 = BigInt(start);
      for (const at of got) latencies.push(Number(at - t0) / 1e6);
      missing += Math.max(0, expected - got.length);
      receipts.delete(key);
    }
    return { latencies, missing };
  },
  sample() {
    return { sample: sample ?? "" };
  },
  close() {
    for (const clients of groups.values()) for (const client of clients) client?.close();
    groups.clear();
    return {};
  },
});
ready({ localAddress: localAddress ?? "" });
