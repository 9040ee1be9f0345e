/**
 * The services run as the image runs them: compiled JavaScript on plain `node` (`pnpm build`, then
 * `node --conditions=talk-dist <service>/dist/main.js`, every @talk/* package from its dist/), no
 * tsx. The image itself (./Dockerfile) is built and smoke-tested where a Docker engine answers.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordSkip, waitFor } from "@talk/testkit";

const root = join(__dirname, "..", "..");
const fromDist = (service: string) => [
  "--conditions=talk-dist",
  join(root, "services", service, "dist", "main.js"),
];

beforeAll(() => {
  const build = spawnSync(process.execPath, ["--import", "tsx", join(root, "scripts", "build.ts")], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (build.status !== 0) throw new Error(`pnpm build failed:\n${build.stdout}\n${build.stderr}`);
}, 130_000);

describe("compiled JavaScript (pnpm build)", () => {
  // every service run as its own process (all but the embedded system, tested below)
  const services = readdirSync(join(root, "services")).filter(
    (name) => name !== "embedded" && existsSync(join(root, "services", name, "src", "main.ts")),
  );

  it.each(services)("%s loads from dist/ and validates its configuration at start", (service) => {
    // `cwd` outside the repository: nothing resolves from the workspace's sources by accident.
    const result = spawnSync(process.execPath, fromDist(service), {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? "", HTTP_PORT: "eighty" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.stderr).toContain(`${service}: Invalid configuration:`);
    expect(result.stderr).toContain("RABBITMQ_URL is required");
    expect(result.stderr).toContain('HTTP_PORT must be an integer >= 0 <= 65535 (got "eighty")');
    expect(result.status).toBe(1);
  });

  it("runs the whole embedded system from dist/: health, readiness, a login, a graceful stop", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "talk-compiled-"));
    let output = "";
    const child: ChildProcess = spawn(process.execPath, fromDist("embedded"), {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? "", PORT: "0", TALK_DATA_DIR: dataDir, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const base = await waitFor(
        () => /Talk is running at (http:\/\/localhost:\d+)\/v1\.0/.exec(output)?.[1],
        {
          timeoutMs: 90_000,
          what: "the embedded system to start",
        },
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${output}`);
      });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const login = await fetch(`${base}/v1.0/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "alice", password: "alice-talk-demo" }),
      });
      expect(login.status).toBe(200);
      expect(await login.json()).toEqual(expect.objectContaining({ token: expect.any(String) }));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);
});

describe("the README's start (node start.mjs)", () => {
  it("builds what is out of date, then runs the embedded system from dist/ in that one process", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "talk-start-mjs-"));
    let output = "";
    const child: ChildProcess = spawn(process.execPath, [join(root, "start.mjs")], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? "", PORT: "0", TALK_DATA_DIR: dataDir, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const base = await waitFor(
        () => /Talk is running at (http:\/\/localhost:\d+)\/v1\.0/.exec(output)?.[1],
        { timeoutMs: 180_000, what: "node start.mjs to start the system" },
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${output}`);
      });
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await fetch(`${base}/`)).headers.get("content-type")).toContain("text/html");
      // one process: the builds ran as children that have exited, nothing compiles TypeScript
      const children = readdirSync(`/proc/${child.pid}/task`).flatMap((task) =>
        readFileSync(`/proc/${child.pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean),
      );
      expect(children).toEqual([]);
      // plain node on start.mjs: no loader (tsx) hooked in
      expect(readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0").filter(Boolean)).toEqual([
        process.execPath,
        join(root, "start.mjs"),
      ]);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});

/** The Docker CLI with an engine behind it (`docker info` answers). */
const dockerAnswers =
  spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 10_000 }).status === 0;
const itWithDocker: jest.It = dockerAnswers
  ? it
  : (((name: string, fn?: jest.ProvidesCallback, timeout?: number) => {
      recordSkip(`test "${name}"`, "no Docker engine answers (docker info)");
      it.skip(name, fn, timeout);
    }) as unknown as jest.It);

describe("the image (./Dockerfile)", () => {
  itWithDocker(
    "builds for one service (the embedded system), runs as node from dist/ and answers /healthz",
    async () => {
      const tag = `talk-test/embedded:${randomUUID().slice(0, 8)}`;
      const docker = (...args: string[]) => {
        const result = spawnSync("docker", args, { cwd: root, encoding: "utf8", timeout: 1_200_000 });
        if (result.status !== 0)
          throw new Error(`docker ${args.join(" ")}:\n${result.stdout}\n${result.stderr}`);
        return result.stdout.trim();
      };
      docker("build", "--build-arg", "SERVICE=embedded", "-t", tag, ".");
      let container: string | undefined;
      try {
        expect(docker("image", "inspect", "--format", "{{.Config.User}} {{json .Config.Cmd}}", tag)).toBe(
          'node ["node","--conditions=talk-dist","--enable-source-maps","dist/main.js"]',
        );
        container = docker("run", "-d", "-e", "TALK_DATA_DIR=/tmp/talk", "-p", "127.0.0.1::8080", tag);
        const address = docker("port", container, "8080/tcp").split("\n")[0];
        const healthz = await waitFor(
          async () => {
            const res = await fetch(`http://${address}/healthz`).catch(() => undefined);
            return res?.status === 200 ? res : undefined;
          },
          { timeoutMs: 120_000, intervalMs: 500, what: "/healthz of the container" },
        );
        expect(await healthz.json()).toEqual({ status: "ok" });
        expect(docker("exec", container, "id", "-u")).not.toBe("0");
        expect(docker("exec", container, "ls", "/app/node_modules").split("\n")).not.toContain("tsx");
      } finally {
        if (container) spawnSync("docker", ["rm", "-f", container]);
        spawnSync("docker", ["image", "rm", "-f", tag]);
      }
    },
    1_500_000,
  );
});
