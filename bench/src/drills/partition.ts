/**
 * The network partition drill (C3): the broker node leading the chat-changes queue is cut off for
 * 30 s — every packet from and to it blackholed in the isolated cluster's router (its AMQP clients'
 * traffic and the Erlang distribution to the other two nodes alike; nothing closed, no ICMP) — then
 * healed. With `pause_minority` the cut node, seeing 1 of 3, pauses; the majority keeps the quorum
 * queues and the stream (their leaders move to it); clients notice by their heartbeats and fail over.
 * After the heal the paused node resumes and rejoins. Observes that from both sides and logs it.
 */
import type { RabbitClusterHandle } from "@talk/testkit";
import { sleep } from "../lib/stats";

export const PARTITION_MS = 30_000;

/** Why the partition drill cannot run on this cluster, or undefined. */
export function partitionUnavailable(cluster: RabbitClusterHandle | undefined, why: string | undefined) {
  if (!cluster) return "the stack does not run on a RabbitMQ cluster";
  if (!cluster.network)
    return `the cluster's nodes are not in their own network namespaces (${why ?? "not asked for"})`;
  return undefined;
}

/** A CLI call that takes longer than `ms` counts as no answer (a node may hang on the cut one). */
function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  return Promise.race([work.catch(() => undefined), sleep(ms).then(() => undefined)]);
}

/** The cluster as one of the other nodes sees it: the running nodes, and any partition recorded. */
async function seenFrom(cluster: RabbitClusterHandle, from: number) {
  const status = await cluster.ctl(["cluster_status", "--formatter", "json"], from);
  const parsed = JSON.parse(status.slice(status.indexOf("{"))) as {
    running_nodes?: string[];
    partitions?: Record<string, string[]>;
  };
  return { running: parsed.running_nodes ?? [], partitions: Object.keys(parsed.partitions ?? {}).length };
}

/** Whether RabbitMQ runs on node `index` (false while it is paused), asked on the node itself. */
async function appRunning(cluster: RabbitClusterHandle, index: number): Promise<boolean> {
  const output = await cluster.ctl(["eval", "rabbit:is_running()."], index);
  return output.trim().endsWith("true");
}

/**
 * Cuts node `node` off for PARTITION_MS, then heals it and waits (at most 2 minutes, else it fails
 * the drill) until it runs again and every node sees all three with no partition recorded. Resolves
 * with the moment of the cut.
 */
export async function partitionNode(
  cluster: RabbitClusterHandle,
  node: number,
  log: (line: string) => void,
): Promise<number> {
  const network = cluster.network;
  if (!network) throw new Error("the cluster is not isolated");
  const peer = (node + 1) % cluster.nodes.length;
  const name = cluster.nodes[node].name;
  network.partition(node);
  const cutAt = Date.now();
  const since = (at: number) => `${((Date.now() - at) / 1000).toFixed(1)} s`;
  log(`node ${node + 1} (${name}) cut off: every packet from and to it dropped`);
  let peerSawIt = false;
  let paused = false;
  while (Date.now() - cutAt < PARTITION_MS) {
    const pace = sleep(2000);
    if (!peerSawIt) {
      const seen = await within(5000, seenFrom(cluster, peer));
      if (seen && !seen.running.includes(name)) {
        peerSawIt = true;
        log(`node ${peer + 1} counts node ${node + 1} down after ${since(cutAt)}`);
      }
    }
    if (!paused && (await within(5000, appRunning(cluster, node))) === false) {
      paused = true;
      log(`node ${node + 1} paused itself after ${since(cutAt)} (pause_minority: it sees 1 of 3)`);
    }
    await pace;
  }
  network.heal(node);
  const healedAt = Date.now();
  log(
    `node ${node + 1} healed after ${since(cutAt)}${peerSawIt ? "" : " (the others never counted it down)"}${paused ? "" : " (it never paused)"}`,
  );
  const deadline = healedAt + 120_000;
  for (;;) {
    const everyone = await Promise.all(cluster.nodes.map((_, i) => within(10_000, seenFrom(cluster, i))));
    const whole = everyone.every(
      (seen) => seen && seen.running.length === cluster.nodes.length && seen.partitions === 0,
    );
    if (whole && (await within(10_000, appRunning(cluster, node)))) {
      log(`node ${node + 1} running again and the cluster whole ${since(healedAt)} after the heal`);
      break;
    }
    if (Date.now() > deadline)
      throw new Error(`the cluster is not whole 2 minutes after the heal: ${JSON.stringify(everyone)}`);
    await sleep(1000);
  }
  return cutAt;
}
