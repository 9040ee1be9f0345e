/**
 * What a test file needs beyond Node.js, and what happens when it cannot be had. Outside CI a suite
 * whose server or browser is missing is skipped, loudly: the reason goes to the skip log that the
 * test command's reporter prints at the end (counted and named). Under CI=true nothing is skipped: the
 * suite runs and fails on the missing piece.
 */
import { appendFileSync, existsSync } from "node:fs";
import {
  canStartPostgres,
  canStartRabbit,
  canStartRabbitCluster,
  canStartReplicatedPostgres,
  serversRequired,
} from "./availability";
import { isolatedNetworkUnavailable } from "./netns";
import { findExecutable } from "./process";

export type Requirement =
  | "rabbitmq"
  | "rabbitmq-cluster"
  | "postgres"
  | "postgres-replicated"
  | "chromium"
  | "kubectl"
  | "network-namespaces";

/** Requirements a run may lack even under CI (the suites needing them skip, loudly). */
const OPTIONAL: Requirement[] = ["kubectl", "network-namespaces"];

/** The browser the console's tests drive (Debian's chromium); TALK_TEST_CHROMIUM overrides. */
export function chromiumPath(): string {
  return process.env.TALK_TEST_CHROMIUM ?? "/usr/bin/chromium";
}

const HOW_TO_GET: Record<Requirement, string> = {
  rabbitmq:
    "no RabbitMQ: set TALK_TEST_RABBITMQ_URL, run a Docker engine, or install rabbitmq-server (apt-get install -y rabbitmq-server)",
  "rabbitmq-cluster":
    "no rabbitmq-server on this machine for a local 3-node cluster: install it (apt-get install -y rabbitmq-server)",
  postgres:
    "no PostgreSQL: set TALK_TEST_POSTGRES_URL, run a Docker engine, or install PostgreSQL (apt-get install -y postgresql)",
  "postgres-replicated":
    "no PostgreSQL binaries on this machine for a primary and a standby (initdb, pg_basebackup, pg_rewind): install PostgreSQL (apt-get install -y postgresql)",
  chromium: "no Chromium: install it (apt-get install -y chromium) or set TALK_TEST_CHROMIUM",
  kubectl: "no kubectl: install it to render the kustomize base (optional)",
  "network-namespaces":
    "no network namespaces: cutting a node off the network (ip netns, veth pairs, blackhole rules) needs root and iproute2 (optional)",
};

function available(requirement: Requirement): boolean {
  switch (requirement) {
    case "rabbitmq":
      return canStartRabbit();
    case "rabbitmq-cluster":
      return canStartRabbitCluster();
    case "postgres":
      return canStartPostgres();
    case "postgres-replicated":
      return canStartReplicatedPostgres();
    case "chromium":
      return existsSync(chromiumPath());
    case "kubectl":
      return findExecutable("kubectl") !== undefined;
    case "network-namespaces":
      return isolatedNetworkUnavailable() === undefined;
  }
}

/** The requirements of `needs` that cannot be had here, with how to get each. */
export function missing(needs: Requirement[]): { requirement: Requirement; howToGet: string }[] {
  return needs
    .filter((r) => !available(r))
    .map((requirement) => ({ requirement, howToGet: HOW_TO_GET[requirement] }));
}

/** Records a skip for the test command's summary (and says it at once on stderr). */
export function recordSkip(what: string, reason: string): void {
  process.stderr.write(`SKIPPED ${what}: ${reason}\n`);
  const log = process.env.TALK_TEST_SKIP_LOG;
  if (log) appendFileSync(log, `${JSON.stringify({ what, reason, file: currentTestFile() })}\n`);
}

function currentTestFile(): string | undefined {
  try {
    return expect.getState().testPath ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why `needs` cannot be met here, or undefined when they can — or when a missing piece must fail
 * rather than skip (under CI; kubectl and network namespaces are optional everywhere).
 */
function skipReason(needs: Requirement[]): string | undefined {
  const absent = missing(needs);
  if (absent.length === 0 || (serversRequired() && !absent.every((a) => OPTIONAL.includes(a.requirement))))
    return undefined;
  return absent.map((a) => a.howToGet).join("; ");
}

/**
 * `describe` when everything in `needs` can be had (or under CI, where a missing piece must fail
 * the suite), else `describe.skip` with the skip recorded. Use it for every suite that needs a
 * server or a browser: `describeNeeding(["rabbitmq", "postgres"])("the distributed stack", () => …)`.
 */
export function describeNeeding(needs: Requirement[]): jest.Describe {
  const reason = skipReason(needs);
  if (reason === undefined) return describe;
  return ((name: string, fn: () => void) => {
    recordSkip(`suite "${name}"`, reason);
    describe.skip(name, fn);
  }) as unknown as jest.Describe;
}

/** The same for one test. */
export function itNeeding(needs: Requirement[]): jest.It {
  const reason = skipReason(needs);
  if (reason === undefined) return it;
  return ((name: string, fn?: jest.ProvidesCallback, timeout?: number) => {
    recordSkip(`test "${name}"`, reason);
    it.skip(name, fn, timeout);
  }) as unknown as jest.It;
}
