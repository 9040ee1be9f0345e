/**
 * The two ways to run Talk, behind one face for the HTTP test suite: the embedded system (one
 * process, in-memory bus, PGlite) and the distributed stack (processes over real RabbitMQ and
 * PostgreSQL). Fixtures are created through the bus, as an admin tool would.
 */
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AmqpBus, type Bus } from "@talk/bus";
import { connectDatabase } from "@talk/db";
import type { Agent } from "@talk/contracts";
import { type EmbeddedOptions, startEmbedded } from "@talk/embedded";
import { createLogger } from "@talk/kit";
import { type DistributedStack, startDistributed } from "@talk/stack";
import type { Knex } from "knex";
import { Api } from "./http";

/** The one browser origin the test stacks allow (CORS_ALLOWED_ORIGINS): a web app on another origin. */
export const ALLOWED_PAGE_ORIGIN = "https://app.talk.test";

export interface TestStack {
  name: string;
  api: Api;
  /** Base URLs serving the WebSocket (`/v1.0/ws`): the embedded port, or each push replica. */
  wsUrls: string[];
  /** Every `/metrics` endpoint: the embedded port, or each process of the distributed stack. */
  metricsUrls: string[];
  bus: Bus;
  distributed?: DistributedStack;
  /** Every `error` log line the stack has written so far (pino JSON, one per entry). */
  errorLogs(): string[];
  /** The processes serving the stack (the embedded stack is this very process). */
  processes(): { name: string; pid: number }[];
  /** What file-manager's database holds: files in any state, chunk rows and their bytes. */
  storedFiles(): Promise<{ files: number; ready: number; chunks: number; bytes: number }>;
  /** The ids of the uploads file-manager is receiving now (not finished). */
  uploadingFiles(): Promise<string[]>;
  stop(): Promise<void>;
}

/** Only the error lines of a pino JSON log (level as a label, as @talk/kit formats it). */
function errorLines(text: string): string[] {
  return text.split("\n").filter((line) => /"level":\s*"(error|fatal)"/.test(line));
}

/** Largest upload the test stacks accept: room for the 200 MB upload of the memory test. */
export const TEST_FILE_MAX_BYTES = 201 * 1024 * 1024;

async function uploadingIds(db: Knex): Promise<string[]> {
  const rows: { id: string }[] = await db("files").where({ state: "uploading" }).select("id");
  return rows.map((row) => row.id);
}

async function countStored(db: Knex) {
  const [files] = await db("files").select(
    db.raw("count(*)::int as files"),
    db.raw("count(*) filter (where state = 'ready')::int as ready"),
  );
  const [chunks] = await db("file_chunks").select(
    db.raw("count(*)::int as chunks"),
    db.raw("coalesce(sum(length(data)), 0)::bigint as bytes"),
  );
  return {
    files: Number(files.files),
    ready: Number(files.ready),
    chunks: Number(chunks.chunks),
    bytes: Number(chunks.bytes),
  };
}

/** Resident memory of a process in bytes (Linux: VmRSS in /proc/<pid>/status). */
export function residentBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  if (!line) throw new Error(`no VmRSS for process ${pid}`);
  return Number(line.replace(/\D+/g, "")) * 1024;
}

export async function startEmbeddedStack(
  options: Pick<
    EmbeddedOptions,
    "push" | "gateway" | "trustProxy" | "presence" | "writeRates" | "files"
  > = {},
): Promise<TestStack> {
  const dataDir = mkdtempSync(join(tmpdir(), "talk-embedded-test-"));
  const logged: string[] = [];
  const logger = createLogger({
    service: "embedded",
    level: "warn",
    destination: { write: (line: string) => void logged.push(...errorLines(line)) },
  });
  const system = await startEmbedded({
    dataDir,
    port: 0,
    logger,
    seed: false,
    allowedOrigins: [ALLOWED_PAGE_ORIGIN],
    // as the distributed stack: many logins from one address, a fixed in-flight limit
    gateway: { loginRatePerMinute: 100000, overloadLatencyTolerancePercent: 0, ...options.gateway },
    push: options.push,
    trustProxy: options.trustProxy,
    files: { maxBytes: TEST_FILE_MAX_BYTES, ...options.files },
    presence: options.presence,
    writeRates: options.writeRates,
  });
  return {
    name: "embedded",
    api: new Api(system.url),
    wsUrls: [system.url],
    metricsUrls: [`${system.url}/metrics`],
    bus: system.bus,
    errorLogs: () => [...logged],
    processes: () => [{ name: "embedded", pid: process.pid }],
    storedFiles: () => countStored(system.databases["file-manager"]),
    uploadingFiles: () => uploadingIds(system.databases["file-manager"]),
    async stop() {
      await system.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Admission control on the test stacks keeps only its fixed in-flight limit: on a machine shared by
 * many suites, requests queue for hundreds of milliseconds without the stack being overloaded, and
 * adaptive shedding would refuse a test's requests at random. test/http/overload.test.ts turns it on.
 */
const FIXED_ADMISSION = { OVERLOAD_LATENCY_TOLERANCE_PERCENT: "0", OVERLOAD_EVENT_LOOP_LAG_MS: "0" };

/**
 * `TALK_TEST_RABBIT_NODES=3` (`pnpm test:cluster`): the distributed stack runs on a local RabbitMQ
 * cluster of that many nodes (quorum queues and the push stream replicated on them, every service given
 * every node's address); unset or 1, on one node.
 */
export function testRabbitNodes(value = process.env.TALK_TEST_RABBIT_NODES): number {
  if (value === undefined || value === "") return 1;
  const nodes = Number(value);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 7)
    throw new Error(`TALK_TEST_RABBIT_NODES: a number of RabbitMQ nodes from 1 to 7, got "${value}"`);
  return nodes;
}

/**
 * The services' log level on the distributed stack: `warn`, or `TALK_TEST_LOG_LEVEL` (e.g. `debug`
 * to see every reconnection attempt). The logs stay in the stack's folder (`talk-stack-*` in the
 * temporary directory, with the broker nodes' logs on a cluster).
 */
export function testLogLevel(value = process.env.TALK_TEST_LOG_LEVEL): string {
  return value || "warn";
}

/** `env` adds to every service's environment (e.g. push limits for a test file); two replicas of each by default. */
export async function startDistributedStack(
  options: { env?: Record<string, string>; replicas?: number } = {},
): Promise<TestStack> {
  const stack = await startDistributed({
    replicas: options.replicas ?? 2,
    rabbitNodes: testRabbitNodes(),
    logLevel: testLogLevel(),
    env: {
      LOGIN_RATE_PER_MINUTE: "100000",
      CORS_ALLOWED_ORIGINS: ALLOWED_PAGE_ORIGIN,
      FILE_MAX_BYTES: String(TEST_FILE_MAX_BYTES),
      ...FIXED_ADMISSION,
      ...options.env,
    },
  });
  const fileDb = connectDatabase({ url: stack.databases["file-manager"], poolMax: 2 });
  const bus = await AmqpBus.connect({
    url: stack.rabbitCluster?.urls ?? stack.rabbit.url,
    service: "test-fixtures",
    // beside the services' logs, not named *.log: its lines are not the stack's errors
    logger: createLogger({
      service: "test-fixtures",
      level: testLogLevel(),
      destination: {
        write: (line: string) => appendFileSync(join(stack.logDir, "test-fixtures-bus.jsonl"), line),
      },
    }),
  });
  return {
    name: "distributed",
    api: new Api(stack.url),
    wsUrls: stack.pushUrls,
    metricsUrls: stack.processes.map((p) => `${p.url}/metrics`),
    bus,
    distributed: stack,
    errorLogs: () =>
      readdirSync(stack.logDir)
        .filter((file) => file.endsWith(".log"))
        .flatMap((file) => errorLines(readFileSync(join(stack.logDir, file), "utf8"))),
    processes: () =>
      stack.processes.flatMap((p) => (p.pid === undefined ? [] : [{ name: p.spec.name, pid: p.pid }])),
    storedFiles: () => countStored(fileDb),
    uploadingFiles: () => uploadingIds(fileDb),
    async stop() {
      await fileDb.destroy();
      await bus.close();
      await stack.stop();
    },
  };
}

export interface TestAgent extends Agent {
  token: string;
  api: Api;
}

let counter = 0;

/** A fresh customer with `count` logged-in agents (the first is an admin). */
export async function newCustomer(
  stack: TestStack,
  count = 3,
): Promise<{ customerId: string; agents: TestAgent[] }> {
  const customer = await stack.bus.call("customer.create", { name: `Customer ${++counter}` });
  const agents: TestAgent[] = [];
  for (let i = 0; i < count; i++) {
    const username = `agent-${customer.id.slice(0, 8)}-${i}`;
    const password = `password-${i}-${customer.id}`;
    const agent = await stack.bus.call("agent.create", {
      customer_id: customer.id,
      agent: { username, password, name: `Agent ${i}`, permission: i === 0 ? "admin" : "agent" },
    });
    const login = await stack.api.post<{ token: string }>("/auth/login", { username, password });
    if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
    agents.push({ ...agent, token: login.body.token, api: stack.api.as(login.body.token) });
  }
  return { customerId: customer.id, agents };
}

/**
 * One stack for a whole test file: started before its first test, stopped after its last. With
 * `checkErrorLogs`, the file fails if the stack logged an `error` line that no test expected (a test
 * that provokes one on purpose lists it with `expectErrorLog`).
 */
export function useStack(
  start: () => Promise<TestStack>,
  options: { checkErrorLogs?: boolean } = {},
): () => TestStack {
  let stack: TestStack | undefined;
  beforeAll(async () => {
    expectedErrorLogs.length = 0;
    stack = await start();
  });
  afterAll(async () => {
    const unexpected = options.checkErrorLogs
      ? (stack?.errorLogs() ?? []).filter((line) => !expectedErrorLogs.some((re) => re.test(line)))
      : [];
    await stack?.stop();
    if (unexpected.length)
      throw new Error(
        `the stack logged ${unexpected.length} unexpected error line(s):\n${unexpected.join("\n")}`,
      );
  });
  return () => {
    if (!stack) throw new Error("the stack did not start");
    return stack;
  };
}

const expectedErrorLogs: RegExp[] = [];

/** Declares an `error` log line the current test provokes on purpose (matched against the JSON line). */
export function expectErrorLog(pattern: RegExp): void {
  expectedErrorLogs.push(pattern);
}
