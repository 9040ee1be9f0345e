/**
 * `pnpm bench:presence [--quick] [--typing 100,1000] [--agents 1000] [--watchers 1000]`
 *
 * Presence and typing (issue 13) on the distributed stack with two push replicas (one of every
 * other service): typing relay latency across replicas at N subscribed sockets, and the presence
 * fan-out when many agents connect at once, each beside B3 (bare `ws`) in the same run. Short
 * (a few minutes), not part of the tests; writes bench/results/<date>-presence.md|json and, for a
 * run that is not --quick, presence-latest.md|json (the figures the README quotes).
 */
import { Fixtures } from "./lib/fixtures";
import { type Results, markdown, writeResults } from "./lib/report";
import { startStack } from "./lib/stack";
import { systemInfo } from "./lib/system-info";
import { runPresenceFanout } from "./scenarios/presence-fanout";
import { runTyping } from "./scenarios/typing";
import { runCommand } from "./lib/run";

const log = (line: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function parse(argv: string[]) {
  const quick = argv.includes("--quick");
  const value = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const list = (name: string, fallback: number[]) => value(name)?.split(",").map(Number) ?? fallback;
  return {
    mode: quick ? "presence-quick" : "presence",
    typing: {
      sizes: list("--typing", [100, 1000]),
      rate: 20,
      seconds: quick ? 3 : 6,
      warmupSeconds: quick ? 1 : 2,
      rounds: quick ? 1 : 2,
    },
    presence: {
      agents: Number(value("--agents") ?? 1000),
      watchers: Number(value("--watchers") ?? (quick ? 100 : 1000)),
    },
  };
}

async function main() {
  const started = Date.now();
  const settings = parse(process.argv.slice(2));
  log("starting the distributed stack: one replica of every service, two of push");
  const stack = await startStack(1, { pushReplicas: 2 });
  const results: Results = {
    mode: settings.mode,
    system: await systemInfo(stack.postgresUrl, stack.rabbitUrl),
    settings: {
      typingSizes: settings.typing.sizes,
      typingRate: settings.typing.rate,
      typingSeconds: settings.typing.seconds,
      rounds: settings.typing.rounds,
      presenceAgents: settings.presence.agents,
      presenceWatchers: settings.presence.watchers,
      pushReplicas: 2,
      durability: "durable",
    },
    rows: [],
  };
  const fixtures = await Fixtures.connect(stack.distributed);
  try {
    results.rows.push(...(await runTyping(settings.typing, stack, fixtures, log)));
    results.rows.push(...(await runPresenceFanout(settings.presence, stack, fixtures, log)));
  } finally {
    await fixtures.close().catch(() => undefined);
    log("stopping the stack");
    await stack.stop();
  }
  results.durationSeconds = (Date.now() - started) / 1000;
  const files = writeResults(results, settings.mode === "presence" ? "presence-latest" : undefined);
  process.stdout.write("\n" + markdown(results) + "\n");
  log(`written ${files.md} and ${files.json}`);
}

runCommand("bench", main);
