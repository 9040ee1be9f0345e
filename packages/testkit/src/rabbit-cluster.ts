/**
 * A RabbitMQ cluster from the machine's own `rabbitmq-server`: several private nodes on one machine,
 * each with its own node name, AMQP and distribution ports, data and logs, sharing one epmd (on a
 * private port) and one Erlang cookie; the first node starts alone and the others `join_cluster` it,
 * as an operator would. Every node can be killed, stopped and started again with its data, so drills
 * can take down the node that leads a queue.
 *
 * The nodes handle a partition with `pause_minority` (as the RabbitMQ cluster operator configures
 * them): a node that sees fewer than half of the cluster pauses, closing its clients' connections,
 * and resumes when it sees a majority again. With `isolated`, every node runs in its own network
 * namespace on its own address (root only, see netns.ts), so that a drill can blackhole one node's
 * traffic; the distribution's tick is then 15 s instead of 60 s, so that a 30-second cut is noticed.
 */
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  ManagedProcess,
  chownTree,
  findExecutable,
  onProcessExit,
  tailFiles,
  unprivilegedUser,
  type UserIds,
} from "./process";
import { IsolatedNetwork } from "./netns";
import { type RabbitHandle, waitForAmqp } from "./rabbit";
import { type Layout, environment, prepare, rabbitmqServer } from "./rabbit-local";
import { freePort } from "./wait";

const START_TIMEOUT_MS = 90_000;

export interface RabbitNodeHandle {
  /** Erlang node name, e.g. talk-test-40551@localhost. */
  name: string;
  url: string;
  /** The address the node listens on: 127.0.0.1, or its own in an isolated cluster. */
  host: string;
  /** AMQP port on 127.0.0.1. */
  port: number;
  readonly running: boolean;
  /** SIGKILL of this node. */
  kill(): Promise<void>;
  /** Graceful stop; the data survives for `start`. */
  stop(): Promise<void>;
  /** Starts again with the same data: the node rejoins its cluster by itself. */
  start(): Promise<void>;
}

export interface RabbitClusterHandle extends RabbitHandle {
  /** One AMQP URL per node (the same credentials and vhost). */
  urls: string[];
  nodes: RabbitNodeHandle[];
  /** `rabbitmqctl <args>` against node `node` (default: the first running one); resolves with its output. */
  ctl(args: string[], node?: number): Promise<string>;
  /** Index in `nodes` of the node that hosts the leader of a quorum queue (or a stream's writer). */
  leaderOf(queue: string): Promise<number>;
  /**
   * Brings back node `index` (killed or running) with an empty data folder, as after a lost disk:
   * the cluster forgets it, it joins again, and every quorum queue and stream gets a replica on it
   * again (`rabbitmq-queues grow`, `rabbitmq-streams add_replica`).
   */
  replaceNode(index: number): Promise<void>;
  /**
   * In an isolated cluster (`isolated: true`): blackholes every packet from and to node `index` —
   * its clients' and the other nodes' — until `heal`. Undefined when the nodes share the loopback.
   */
  network?: {
    partition(index: number): void;
    heal(index: number): void;
  };
}

/** How a cluster node handles a partition, and (isolated) how fast the distribution notices one. */
const PARTITION_CONFIG = ["cluster_partition_handling = pause_minority"];
const ISOLATED_CONFIG = [...PARTITION_CONFIG, "net_ticktime = 15"];

/** rabbitmqctl, rabbitmq-queues or rabbitmq-streams beside the server script. */
function cli(name: string): string {
  const server = rabbitmqServer();
  return findExecutable(name, [server.replace(/rabbitmq-server$/, name)]) ?? name;
}

class LocalNode implements RabbitNodeHandle {
  private broker: ManagedProcess | undefined;
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly host: string;

  constructor(
    readonly layout: Layout,
    private readonly user: UserIds | undefined,
    /** The node's network namespace in an isolated cluster. */
    readonly netns?: string,
  ) {
    this.name = layout.node;
    this.port = layout.port;
    this.host = layout.address;
    this.url = `amqp://guest:guest@${layout.address}:${layout.port}`;
  }

  get running(): boolean {
    return this.broker?.running ?? false;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const broker = ManagedProcess.spawn(rabbitmqServer(), [], {
      user: this.user,
      env: environment(this.layout),
      cwd: this.layout.dir,
      logFile: this.layout.startupLog,
      netns: this.netns,
    });
    this.broker = broker;
    try {
      await waitForAmqp(this.url, START_TIMEOUT_MS, () =>
        broker.running ? undefined : `rabbitmq-server ${broker.describeExit()} before accepting connections`,
      );
    } catch (err) {
      await broker.stop("SIGKILL", 1000);
      throw new Error(
        `Could not start RabbitMQ node ${this.name} in ${this.layout.dir}: ${err instanceof Error ? err.message : String(err)}\n${tailFiles([this.layout.startupLog, this.layout.nodeLog])}`,
      );
    }
  }

  async stop(): Promise<void> {
    await this.broker?.stop("SIGTERM", 30_000);
  }

  async kill(): Promise<void> {
    await this.broker?.stop("SIGKILL", 5_000);
  }
}

export async function startLocalRabbitCluster(
  size = 3,
  options: {
    isolated?: boolean;
    /** On close, each node's logs are copied to `<keepLogsIn>/rabbit-<i>/` before its folder goes. */
    keepLogsIn?: string;
    /** Plugins every node enables at boot (e.g. rabbitmq_shovel). */
    plugins?: string[];
  } = {},
): Promise<RabbitClusterHandle> {
  const user = unprivilegedUser(["rabbitmq", "nobody"]);
  const network = options.isolated ? IsolatedNetwork.create(size) : undefined;
  const epmdPort = await freePort();
  const cookie = randomBytes(20).toString("hex").toUpperCase();
  const layouts: Layout[] = [];
  for (let i = 0; i < size; i++)
    layouts.push(
      await prepare({
        epmdPort,
        cookie,
        address: network?.address(i),
        config: network ? ISOLATED_CONFIG : PARTITION_CONFIG,
        plugins: options.plugins,
      }),
    );
  for (const layout of layouts) chownTree(layout.dir, user);
  const removeDirs = onProcessExit(() => {
    for (const layout of layouts) rmSync(layout.dir, { recursive: true, force: true });
  });
  // one epmd for the loopback; one in each node's namespace when isolated
  const epmds = (network ? layouts : layouts.slice(0, 1)).map((layout, i) =>
    ManagedProcess.spawn(
      findExecutable("epmd", ["/usr/lib/erlang/bin/epmd"]) ?? "epmd",
      ["-port", String(epmdPort)],
      {
        user,
        env: environment(layout),
        cwd: layout.dir,
        logFile: join(layout.dir, "epmd.log"),
        netns: network?.namespace(i),
      },
    ),
  );
  const nodes = layouts.map((layout, i) => new LocalNode(layout, user, network?.namespace(i)));
  let ctlRuns = 0;

  /** rabbitmqctl (or another CLI) as the nodes' user, with their cookie and epmd. */
  const ctl = async (
    args: string[],
    node = nodes.find((n) => n.running) ?? nodes[0],
    tool = "rabbitmqctl",
  ): Promise<string> => {
    const logFile = join(node.layout.dir, `ctl-${++ctlRuns}.log`);
    const run = ManagedProcess.spawn(cli(tool), ["-n", node.name, ...args], {
      user,
      env: environment(node.layout),
      cwd: node.layout.dir,
      logFile,
      netns: node.netns,
    });
    await run.exited;
    const output = readFileSync(logFile, "utf8");
    rmSync(logFile, { force: true });
    if (run.describeExit() !== "exited with code 0")
      throw new Error(`${tool} ${args.join(" ")} on ${node.name} ${run.describeExit()}:\n${output}`);
    return output;
  };

  const keepLogs = () => {
    if (!options.keepLogsIn) return;
    layouts.forEach((layout, i) => {
      const target = join(options.keepLogsIn!, `rabbit-${i}`);
      for (const from of [join(layout.dir, "log"), layout.startupLog])
        if (existsSync(from))
          cpSync(from, join(target, from === layout.startupLog ? "startup.log" : "log"), { recursive: true });
    });
  };

  const close = async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
    await Promise.all(epmds.map((epmd) => epmd.stop("SIGTERM", 2_000)));
    network?.close();
    try {
      keepLogs();
    } catch {
      // the logs are a courtesy: a copy that fails must not fail the close
    }
    for (const layout of layouts) rmSync(layout.dir, { recursive: true, force: true });
    removeDirs();
  };

  const joinCluster = async (node: LocalNode, to: LocalNode) => {
    await ctl(["stop_app"], node);
    await ctl(["join_cluster", to.name], node);
    await ctl(["start_app"], node);
  };

  try {
    await nodes[0].start();
    await Promise.all(nodes.slice(1).map((n) => n.start()));
    for (const node of nodes.slice(1)) await joinCluster(node, nodes[0]);
    await Promise.all(nodes.map((n) => waitForAmqp(n.url, START_TIMEOUT_MS)));
  } catch (err) {
    await close();
    throw err;
  }

  return {
    url: nodes[0].url,
    urls: nodes.map((n) => n.url),
    nodes,
    network: network && {
      partition: (index) => network.partition(index),
      heal: (index) => network.heal(index),
    },
    restartable: true,
    ctl: (args, node) => ctl(args, node === undefined ? undefined : nodes[node]),
    async leaderOf(queue: string): Promise<number> {
      const output = await ctl(["list_queues", "-q", "--no-table-headers", "name", "leader"]);
      for (const line of output.split("\n")) {
        const [name, leader] = line.trim().split(/\s+/);
        if (name === queue) {
          const index = nodes.findIndex((n) => n.name === leader);
          if (index >= 0) return index;
        }
      }
      throw new Error(`No leader found for queue ${queue}:\n${output}`);
    },
    async replaceNode(index: number): Promise<void> {
      const node = nodes[index];
      const peer = nodes.find((n, i) => i !== index && n.running);
      if (!peer) throw new Error("No other node is running");
      await node.kill();
      await ctl(["forget_cluster_node", node.name], peer);
      rmSync(node.layout.mnesiaDir, { recursive: true, force: true });
      await node.start();
      await joinCluster(node, peer);
      await waitForAmqp(node.url, START_TIMEOUT_MS);
      await ctl(["grow", node.name, "all"], peer, "rabbitmq-queues");
      const streams = await ctl(["list_queues", "-q", "--no-table-headers", "name", "type"], peer);
      for (const line of streams.split("\n")) {
        const [name, type] = line.trim().split(/\s+/);
        if (type === "stream") await ctl(["add_replica", name, node.name], peer, "rabbitmq-streams");
      }
    },
    async stop() {
      for (const node of [...nodes].reverse()) await node.stop();
    },
    async start() {
      await Promise.all(nodes.map((n) => n.start()));
    },
    async kill() {
      await Promise.all(nodes.map((n) => n.kill()));
    },
    close,
  };
}
