/**
 * The README's test command (`pnpm test`): gets what the tests need beyond Node.js, says plainly
 * what it could not get, checks the code (types, lint, format), runs every test, and ends with the
 * skips counted and named.
 *
 * RabbitMQ, PostgreSQL and Chromium come, in order, from the environment (TALK_TEST_RABBITMQ_URL,
 * TALK_TEST_POSTGRES_URL, TALK_TEST_CHROMIUM), a Docker engine (servers only), or the machine's
 * binaries. When a binary is missing and we run as root on a Debian-like system, it is installed
 * from the distribution's packages; otherwise the command prints what to install. Outside CI, suites
 * whose server is missing are skipped loudly; under CI=true they run and fail.
 *
 * Extra arguments go to jest: `pnpm test -- test/http` runs one folder. `--no-lint` skips the code
 * checks (for a quick local re-run). `--servers` only gets the servers, starts a RabbitMQ broker and
 * a PostgreSQL server the way the suites do, checks that each answers, and stops them (CI's first
 * step: a broker that cannot be had or started fails in seconds, named, not in every suite).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  dockerAnswers,
  missing,
  serversRequired,
  startPostgres,
  startRabbit,
  waitForAmqp,
  waitForPostgres,
  type Requirement,
} from "@talk/testkit";

const ROOT = resolve(__dirname, "..");

interface Needed {
  requirement: Requirement;
  label: string;
  debianPackage: string;
}

const NEEDED: Needed[] = [
  { requirement: "rabbitmq", label: "RabbitMQ", debianPackage: "rabbitmq-server" },
  { requirement: "postgres", label: "PostgreSQL", debianPackage: "postgresql" },
  { requirement: "chromium", label: "Chromium", debianPackage: "chromium" },
];

function say(line: string): void {
  process.stdout.write(`test: ${line}\n`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** Installs Debian packages (as root); true when apt-get finished without error. */
function aptInstall(packages: string[]): boolean {
  if (!existsSync("/usr/bin/apt-get")) return false;
  say(`installing ${packages.join(", ")} from the distribution's packages (missing on this machine)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (run("apt-get", ["update", "-qq"], env) !== 0) return false;
  return run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], env) === 0;
}

async function provision(): Promise<string[]> {
  if (!(await dockerAnswers())) process.env.TALK_TEST_DOCKER = "0";
  let absent = NEEDED.filter((n) => missing([n.requirement]).length > 0);
  if (absent.length > 0 && isRoot()) {
    aptInstall(absent.map((n) => n.debianPackage));
    absent = NEEDED.filter((n) => missing([n.requirement]).length > 0);
  }
  for (const n of NEEDED) {
    const gap = missing([n.requirement])[0];
    if (gap) say(`could not get ${n.label}: ${gap.howToGet}`);
    else say(`${n.label}: available`);
  }
  if (absent.length > 0) {
    const install = `apt-get install -y ${absent.map((n) => n.debianPackage).join(" ")}`;
    say(
      isRoot()
        ? `the installation failed; install by hand: ${install}`
        : `not root, so nothing was installed; run as root, or: sudo ${install}`,
    );
    say(
      serversRequired()
        ? "CI=true: the suites that need them will run and fail"
        : "the suites that need them will be skipped and listed at the end",
    );
  }
  return absent.map((n) => n.label);
}

/**
 * promtool, for the metrics tests (they read every /metrics with it too; without it they say so and
 * use the parser alone): `PROMTOOL`, the PATH, or, as root, taken out of the distribution's
 * prometheus package without installing it (so no Prometheus server is set up or started).
 */
function providePromtool(): void {
  const extracted = "/opt/talk-test/prometheus/usr/bin/promtool";
  const works = (tool: string) => spawnSync(tool, ["--version"], { stdio: "ignore" }).status === 0;
  if (process.env.PROMTOOL && works(process.env.PROMTOOL)) return;
  if (works("promtool")) return;
  if (!existsSync(extracted) && isRoot() && existsSync("/usr/bin/apt-get")) {
    say("extracting promtool from the distribution's prometheus package");
    const work = mkdtempSync(join(tmpdir(), "talk-promtool-"));
    const download = spawnSync("apt-get", ["download", "-qq", "prometheus"], { cwd: work, stdio: "ignore" });
    const deb = readdirSync(work).find((f) => f.endsWith(".deb"));
    if (download.status === 0 && deb) {
      mkdirSync("/opt/talk-test/prometheus", { recursive: true }); // dpkg-deb -x makes the last folder only
      run("dpkg-deb", ["-x", join(work, deb), "/opt/talk-test/prometheus"]);
    }
    rmSync(work, { recursive: true, force: true });
  }
  if (existsSync(extracted) && works(extracted)) {
    process.env.PROMTOOL = extracted;
    say("promtool: available");
  } else say("could not get promtool: the metrics tests use the exposition parser alone");
}

function codeChecks(): number {
  const bin = (pkg: string, path: string) => join(ROOT, "node_modules", pkg, path);
  const steps: [string, string[]][] = [
    ["types", [bin("typescript", "bin/tsc"), "-p", "tsconfig.json", "--noEmit"]],
    ["console types", [bin("typescript", "bin/tsc"), "-p", "packages/console/tsconfig.json", "--noEmit"]],
    ["lint", [bin("eslint", "bin/eslint.js"), "."]],
    ["format", [bin("prettier", "bin/prettier.cjs"), "--check", "--log-level", "warn", "."]],
  ];
  for (const [name, args] of steps) {
    say(`checking ${name}`);
    const status = run(process.execPath, args);
    if (status !== 0) return status;
  }
  return 0;
}

interface JestResults {
  numPendingTests: number;
  numTodoTests: number;
  testResults: { name: string; assertionResults: { fullName: string; status: string }[] }[];
}

/** The skips, counted and named, with the reason each suite gave. */
function reportSkips(resultsFile: string, skipLog: string): void {
  let results: JestResults;
  try {
    results = JSON.parse(readFileSync(resultsFile, "utf8")) as JestResults;
  } catch {
    return; // jest did not get as far as writing results; its own output says why
  }
  if (!Array.isArray(results.testResults)) return; // not a test run (e.g. --listTests)
  const reasons = existsSync(skipLog)
    ? readFileSync(skipLog, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { what: string; reason: string; file?: string })
    : [];
  const skippedByFile = results.testResults
    .map((file) => ({
      file: file.name.replace(`${ROOT}/`, ""),
      tests: file.assertionResults.filter((t) => t.status === "pending" || t.status === "skipped"),
    }))
    .filter((f) => f.tests.length > 0);
  const count = results.numPendingTests + results.numTodoTests;
  if (count === 0 && reasons.length === 0) {
    say("no test was skipped");
    return;
  }
  const banner = "!".repeat(100);
  process.stdout.write(`\n${banner}\n`);
  say(`${count} test(s) SKIPPED in ${skippedByFile.length} file(s):`);
  for (const { file, tests } of skippedByFile) {
    process.stdout.write(`  ${file}: ${tests.length} skipped\n`);
    for (const t of tests.slice(0, 5)) process.stdout.write(`    - ${t.fullName}\n`);
    if (tests.length > 5) process.stdout.write(`    - … and ${tests.length - 5} more\n`);
  }
  if (reasons.length > 0) {
    say("why:");
    for (const r of reasons)
      process.stdout.write(
        `  ${r.file ? `${r.file.replace(`${ROOT}/`, "")}: ` : ""}${r.what}: ${r.reason}\n`,
      );
  }
  process.stdout.write(`${banner}\n`);
}

/** A server's URL without its credentials. */
const shown = (url: string) => url.replace(/\/\/[^@/]*@/, "//");

/** Starts a RabbitMQ broker and a PostgreSQL server as the suites do, checks each answers, stops them. */
async function startServersOnce(): Promise<void> {
  const rabbit = await startRabbit();
  try {
    await waitForAmqp(rabbit.url, 30_000);
    say(`RabbitMQ: started, answers AMQP at ${shown(rabbit.url)}`);
  } finally {
    await rabbit.close();
  }
  const postgres = await startPostgres();
  try {
    await waitForPostgres(postgres.url, 30_000);
    say(`PostgreSQL: started, answers at ${shown(postgres.url)}`);
  } finally {
    await postgres.close();
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a) => a !== "--");
  const lint = !args.includes("--no-lint");
  const jestArgs = args.filter((a) => a !== "--no-lint");
  const unavailable = await provision();
  if (args.includes("--servers")) {
    if (unavailable.length > 0) return 1;
    await startServersOnce();
    return 0;
  }
  providePromtool();
  if (lint) {
    const status = codeChecks();
    if (status !== 0) return status;
  }
  const work = mkdtempSync(join(tmpdir(), "talk-test-run-"));
  const skipLog = join(work, "skips.jsonl");
  const resultsFile = join(work, "results.json");
  try {
    const status = run(
      process.execPath,
      [
        "--experimental-vm-modules",
        join(ROOT, "node_modules/jest/bin/jest.js"),
        "--runInBand",
        "--forceExit",
        "--json",
        `--outputFile=${resultsFile}`,
        ...jestArgs,
      ],
      { ...process.env, TALK_TEST_SKIP_LOG: skipLog },
    );
    reportSkips(resultsFile, skipLog);
    if (unavailable.length > 0) say(`could not get: ${unavailable.join(", ")} (see the lines at the start)`);
    return status;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(
      `test: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
