/**
 * A RabbitMQ cluster from the machine's own `rabbitmq-server`: several private nodes on one machine,
 * each with its own node name, AMQP and distribution ports, data and logs, sharing one epmd (on a
 * private port) and one Erlang cookie; the first node starts alone and the others `join_cluster` it,
 * as an operator would. Every node can be killed, stopped and started again with its data, so drills
 * can take down the node that leads a queue.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
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
import { type RabbitHandle, waitForAmqp } from "./rabbit";
import { type Layout, environment, prepare, rabbitmqServer } from "./rabbit-local";
import { freePort } from "./wait";

const START_TIMEOUT_MS = 90_000;

export interface RabbitNodeHandle {
  /** Erlang node name, e.g. talk-test-40551@localhost. */
  name: string;
  url: string;
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
  /** `rabbitmqctl <args>` against a running node; resolves with its output. */
  ctl(args: string[]): Promise<string>;
  /** Index in `nodes` of the node that hosts the leader of a quorum queue (or a stream's writer). */
  leaderOf(queue: string): Promise<number>;
  /**
   * Brings back node `index` (killed or running) with an empty data folder, as after a lost disk:
   * the cluster forgets it, it joins again, and every quorum queue and stream gets a replica on it
   * again (`rabbitmq-queues grow`, `rabbitmq-streams add_replica`).
   */
  replaceNode(index: number): Promise<void>;
}

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

  constructor(
    readonly layout: Layout,
    private readonly user: UserIds | undefined,
  ) {
    this.name = layout.node;
    this.port = layout.port;
    this.url = `amqp://guest:guest@127.0.0.1:${layout.port}`;
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

export async function startLocalRabbitCluster(size = 3): Promise<RabbitClusterHandle> {
  const user = unprivilegedUser(["rabbitmq", "nobody"]);
  const epmdPort = await freePort();
  const cookie = randomBytes(20).toString("hex").toUpperCase();
  const layouts: Layout[] = [];
  for (let i = 0; i < size; i++) layouts.push(await prepare({ epmdPort, cookie }));
  for (const layout of layouts) chownTree(layout.dir, user);
  const removeDirs = onProcessExit(() => {
    for (const layout of layouts) rmSync(layout.dir, { recursive: true, force: true });
  });
  const epmd = ManagedProcess.spawn(
    findExecutable("epmd", ["/usr/lib/erlang/bin/epmd"]) ?? "epmd",
    ["-port", String(epmdPort)],
    { user, env: environment(layouts[0]), cwd: layouts[0].dir, logFile: join(layouts[0].dir, "epmd.log") },
  );
  const nodes = layouts.map((layout) => new LocalNode(layout, user));
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
    });
    await run.exited;
    const output = readFileSync(logFile, "utf8");
    rmSync(logFile, { force: true });
    if (run.describeExit() !== "exited with code 0")
      throw new Error(`${tool} ${args.join(" ")} on ${node.name} ${run.describeExit()}:\n${output}`);
    return output;
  };

  const close = async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
    await epmd.stop("SIGTERM", 2_000);
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
    restartable: true,
    ctl: (args) => ctl(args),
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
