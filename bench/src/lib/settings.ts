/** Command-line settings of `pnpm bench`: the full run, or `--quick` (under two minutes). */

/**
 * PostgreSQL's settings for Talk and B1 alike: production durability (fsync, full_page_writes and
 * synchronous_commit on), or the labelled `fsync-off` variant (what the tests run on).
 */
export type Durability = "durable" | "fsync-off";

/**
 * An extra pass of the send scenario: PostgreSQL on other settings, or RabbitMQ as a local 3-node
 * cluster (quorum queues on 3 replicas: the cost of replication beside the single node).
 */
export type SendVariant = Durability | "rabbitmq-cluster";

export interface BenchSettings {
  mode: "quick" | "full";
  /** The settings of the main pass (every scenario). */
  durability: Durability;
  /** Extra passes of the send scenario on other settings (the full run adds fsync-off and the cluster). */
  sendVariants: SendVariant[];
  /** Replicas of every service in the distributed stack. */
  replicas: number;
  /** Seconds of load before each measured scenario (not measured). */
  warmupSeconds: number;
  /** Each comparison alternates baseline and Talk this many times (ABBA), then merges the samples. */
  rounds: number;
  sendConcurrency: number;
  /** Seconds per round of each send-throughput measurement. */
  sendSeconds: number;
  /** Seconds per round of each concurrency-1 latency measurement. */
  latencySeconds: number;
  fanoutSizes: number[];
  /** Messages per second the fan-out sender posts. */
  fanoutRate: number;
  /** For large N, the rate is lowered so that messages/s × N stays at this many deliveries/s. */
  fanoutDeliveries: number;
  fanoutSeconds: number;
  connections: number;
  embeddedSeconds: number;
  /** The chat-list scenario's size: chats of the agent, messages in each (`--chat-list 200x10000`). */
  chatList: { chats: number; messages: number };
  only?: string[];
  /** Folder where every service process writes a V8 CPU profile when it stops (node --cpu-prof). */
  cpuProf?: string;
  /** An older, installed checkout whose `npx -y pnpm@12.4.2 start` the embedded footprint also measures. */
  embeddedBefore?: string;
}

/** `variants`: the send scenario again on each of `sendVariants`, each on a stack of its own. */
export const SCENARIOS = [
  "send",
  "latency",
  "fanout",
  "connections",
  "embedded",
  "embedded-footprint",
  "variants",
  "chat-list",
] as const;

/**
 * Scenarios a run has only when named with --only (long set-up, their own results file). The
 * embedded footprint is part of `embedded`; named alone it needs no distributed stack.
 */
const OPT_IN: readonly string[] = ["chat-list", "embedded-footprint"];

export function parseSettings(argv: string[]): BenchSettings {
  const quick = argv.includes("--quick");
  const value = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const settings: BenchSettings = quick
    ? {
        mode: "quick",
        durability: "durable",
        sendVariants: [],
        replicas: 1,
        warmupSeconds: 1,
        rounds: 1,
        sendConcurrency: 32,
        sendSeconds: 2.5,
        latencySeconds: 1,
        fanoutSizes: [10, 100, 1000],
        fanoutRate: 20,
        fanoutDeliveries: 20_000,
        fanoutSeconds: 1.5,
        connections: 10_000,
        embeddedSeconds: 2.5,
        chatList: { chats: 200, messages: 1000 },
      }
    : {
        mode: "full",
        durability: "durable",
        sendVariants: ["fsync-off", "rabbitmq-cluster"],
        replicas: 1,
        warmupSeconds: 3,
        rounds: 3,
        sendConcurrency: 32,
        sendSeconds: 6,
        latencySeconds: 3,
        // 5,000: issue 18's fan-out target
        fanoutSizes: [10, 100, 1000, 5000],
        fanoutRate: 20,
        fanoutDeliveries: 20_000,
        fanoutSeconds: 6,
        // near this machine's 20,000 open files per process (issue 18)
        connections: 19_000,
        embeddedSeconds: 8,
        chatList: { chats: 200, messages: 10_000 },
      };
  if (argv.includes("--fsync-off")) {
    settings.durability = "fsync-off";
    settings.sendVariants = [];
  }
  if (argv.includes("--no-variants")) settings.sendVariants = [];
  if (value("--variants")) settings.sendVariants = String(value("--variants")).split(",") as SendVariant[];
  for (const variant of settings.sendVariants)
    if (!["fsync-off", "rabbitmq-cluster"].includes(variant))
      throw new Error(`--variants: unknown variant ${variant} (fsync-off, rabbitmq-cluster)`);
  if (argv.includes("--rabbitmq-cluster") && !settings.sendVariants.includes("rabbitmq-cluster"))
    settings.sendVariants.push("rabbitmq-cluster");
  if (value("--replicas")) settings.replicas = Number(value("--replicas"));
  if (value("--fanout")) settings.fanoutSizes = String(value("--fanout")).split(",").map(Number);
  if (value("--connections")) settings.connections = Number(value("--connections"));
  if (value("--cpu-prof")) settings.cpuProf = String(value("--cpu-prof"));
  if (value("--embedded-before")) settings.embeddedBefore = String(value("--embedded-before"));
  if (value("--only")) settings.only = String(value("--only")).split(",");
  const size = /^(\d+)x(\d+)$/.exec(value("--chat-list") ?? "");
  if (size) settings.chatList = { chats: Number(size[1]), messages: Number(size[2]) };
  for (const name of settings.only ?? [])
    if (!(SCENARIOS as readonly string[]).includes(name))
      throw new Error(`--only: unknown scenario ${name} (${SCENARIOS.join(", ")})`);
  return settings;
}

export const wants = (settings: BenchSettings, scenario: (typeof SCENARIOS)[number]) =>
  settings.only ? settings.only.includes(scenario) : !OPT_IN.includes(scenario);
