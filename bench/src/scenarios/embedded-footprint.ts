/**
 * Embedded mode as the README starts it, after install: the command is run as a user would run it
 * (its own process group, the default settings but PORT and the data folder), timed from the spawn
 * until /readyz answers 200, then left idle and the resident memory of its whole process tree
 * (every descendant: wrappers included) summed from /proc. Cases: the README's `node start.mjs`
 * on a new data folder (first start: database folder, migrations, demo seeding) and again on that
 * folder (a restart); `npx -y pnpm@12.4.2 start` (the same under npx and pnpm); and, with
 * `--embedded-before DIR`, the `npx -y pnpm@12.4.2 start` of an older, installed checkout.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Row } from "../lib/report";
import type { BenchSettings } from "../lib/settings";

const ROOT = join(__dirname, "..", "..", "..");
const TARGET = { rssMb: 350, readySeconds: 5 };

interface Footprint {
  /** The 1-minute load average when it was ready (this machine is shared). */
  load: number;
  readySeconds: number;
  rssMb: number;
  processes: { name: string; rssMb: number }[];
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });

const childrenOf = (pid: number): number[] => {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
};

/** Every process of the tree rooted at `pid`, with its resident memory. */
function tree(pid: number): { name: string; rssMb: number }[] {
  const status = (() => {
    try {
      return readFileSync(`/proc/${pid}/status`, "utf8");
    } catch {
      return "";
    }
  })();
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const argv = (() => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    } catch {
      return [];
    }
  })();
  const name = argv
    .slice(0, 3)
    .map((arg, i) => (i === 0 ? basename(arg) : arg.length > 40 ? `…${arg.slice(-40)}` : arg))
    .join(" ");
  return [{ name, rssMb: rssKb / 1024 }, ...childrenOf(pid).flatMap(tree)];
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ready:\n${output()}`);
    const ok = await fetch(url)
      .then((res) => res.status === 200)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`not ready within 180 s:\n${output()}`);
}

/** Runs `command` in `cwd`, measures its time to ready and its idle tree, stops it. */
async function measure(
  cwd: string,
  command: string[],
  dataDir: string,
  idleSeconds: number,
): Promise<Footprint> {
  const port = await freePort();
  let output = "";
  const started = performance.now();
  const child = spawn(command[0], command.slice(1), {
    cwd,
    env: { ...process.env, PORT: String(port), TALK_DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await waitReady(`http://127.0.0.1:${port}/readyz`, child, () => output.slice(-4000));
    const readySeconds = (performance.now() - started) / 1000;
    const load = loadavg()[0];
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const processes = tree(child.pid!);
    return { load, readySeconds, rssMb: processes.reduce((sum, p) => sum + p.rssMb, 0), processes };
  } finally {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, 20_000);
    await exited;
    clearTimeout(timer);
  }
}

function footprintRow(id: string, scenario: string, measured: Footprint, note: string): Row {
  const ms = measured.readySeconds * 1000;
  return {
    id,
    scenario,
    kind: "footprint",
    talk: {
      label: scenario,
      summary: { count: 1, errors: 0, seconds: measured.readySeconds, rate: NaN, p50: ms, p99: ms, max: ms },
      extra: {
        ready_s: measured.readySeconds,
        rss_mb: measured.rssMb,
        processes: measured.processes.length,
      },
    },
    ratios: {},
    target: `≤ ${TARGET.rssMb} MB idle, ≤ ${TARGET.readySeconds} s to ready, one process`,
    met:
      measured.rssMb <= TARGET.rssMb &&
      measured.readySeconds <= TARGET.readySeconds &&
      measured.processes.length === 1,
    note: `${note} Load average ${measured.load.toFixed(1)} at ready. Processes: ${measured.processes.map((p) => `${p.name} ${Math.round(p.rssMb)} MB`).join("; ")}.`,
  };
}

export async function runEmbeddedFootprint(
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<Row[]> {
  const idle = settings.mode === "quick" ? 5 : 10;
  log("embedded footprint: `node start.mjs --build` (what install's prepare script does)");
  const build = spawnSync(process.execPath, ["start.mjs", "--build"], { cwd: ROOT, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`node start.mjs --build failed:\n${build.stdout}${build.stderr}`);
  const rows: Row[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), "talk-bench-footprint-"));
  try {
    const note = `Idle ${idle} s after ready, RSS of every process of the tree summed.`;
    log("embedded footprint: `node start.mjs`, new data folder");
    const first = await measure(ROOT, [process.execPath, "start.mjs"], join(dataDir, "readme"), idle);
    rows.push(
      footprintRow(
        "embedded-first-start",
        "Embedded: `node start.mjs`, first start (new data folder)",
        first,
        note,
      ),
    );
    log("embedded footprint: `node start.mjs` again (a restart)");
    const again = await measure(ROOT, [process.execPath, "start.mjs"], join(dataDir, "readme"), idle);
    rows.push(footprintRow("embedded-restart", "Embedded: `node start.mjs`, restart", again, note));
    log("embedded footprint: `npx -y pnpm@12.4.2 start` (a restart)");
    const pnpm = await measure(ROOT, ["npx", "-y", "pnpm@12.4.2", "start"], join(dataDir, "readme"), idle);
    rows.push(
      footprintRow(
        "embedded-pnpm-start",
        "Embedded: `npx -y pnpm@12.4.2 start`, restart",
        pnpm,
        `${note} npx and pnpm stay as the parents of the one Node process.`,
      ),
    );
    if (settings.embeddedBefore) {
      const before = settings.embeddedBefore;
      if (!existsSync(join(before, "node_modules")))
        throw new Error(`--embedded-before ${before}: not installed`);
      for (const [id, label, folder] of [
        ["embedded-before-first-start", "first start (new data folder)", "before"],
        ["embedded-before-restart", "restart", "before"],
      ] as const) {
        log(`embedded footprint: before (${before}), \`npx -y pnpm@12.4.2 start\`, ${label}`);
        const measured = await measure(
          before,
          ["npx", "-y", "pnpm@12.4.2", "start"],
          join(dataDir, folder),
          idle,
        );
        rows.push(
          footprintRow(
            id,
            `Embedded before (${basename(before)}): \`npx -y pnpm@12.4.2 start\`, ${label}`,
            measured,
            note,
          ),
        );
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}
