/**
 * One service of the distributed stack as a child process: `tsx services/<name>/src/main.ts` with
 * its environment, output to a log file, ready once its /readyz answers 200.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { waitFor } from "@talk/testkit";

export const REPOSITORY_ROOT = resolve(__dirname, "../../..");

export interface ServiceSpec {
  /** Folder under services/. */
  service: string;
  /** Instance name, e.g. chat-manager-1. */
  name: string;
  env: Record<string, string>;
  httpPort: number;
  logDir: string;
}

export class ServiceProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  readonly logFile: string;

  constructor(readonly spec: ServiceSpec) {
    this.logFile = join(spec.logDir, `${spec.name}.log`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.spec.httpPort}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const log = openSync(this.logFile, "a");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join("services", this.spec.service, "src", "main.ts")],
      {
        cwd: REPOSITORY_ROOT,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/tmp",
          ...this.spec.env,
          HTTP_PORT: String(this.spec.httpPort),
        },
        stdio: ["ignore", log, log],
      },
    );
    closeSync(log);
    this.child = child;
    this.exited = new Promise((done) => child.once("exit", () => done()));
    let exitedEarly = false;
    void this.exited.then(() => (exitedEarly = true));
    await waitFor(
      async () => {
        if (exitedEarly) throw new Error(`${this.spec.name} exited while starting:\n${this.tail()}`);
        const res = await fetch(`${this.url}/readyz`).catch(() => undefined);
        return res?.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `${this.spec.name} to be ready` },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${this.tail()}`);
    });
  }

  /** SIGTERM: the service stops gracefully. */
  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill("SIGTERM");
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 25_000))]);
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGKILL: the service dies mid-work. */
  async kill(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill("SIGKILL");
    await this.exited;
  }

  tail(lines = 40): string {
    try {
      return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }
}
