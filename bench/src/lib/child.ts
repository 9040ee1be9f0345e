/**
 * Baseline servers run as their own processes (as the services do): a TypeScript file forked with
 * tsx, ready when it sends `{ ready: true, ... }` over IPC; `request` sends a command and waits for
 * the answer with the same id. They exit when the bench process goes away (IPC disconnect).
 */
import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface ChildMessage {
  id?: number;
  ready?: boolean;
  error?: string;
  [key: string]: unknown;
}

export class BenchChild {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(m: ChildMessage): void; reject(e: Error): void }>();

  private constructor(
    readonly name: string,
    readonly process: ChildProcess,
    readonly info: ChildMessage,
  ) {
    process.on("message", (message: ChildMessage) => {
      const waiter = message.id === undefined ? undefined : this.waiting.get(message.id);
      if (!waiter || message.id === undefined) return;
      this.waiting.delete(message.id);
      if (message.error) waiter.reject(new Error(`${name}: ${message.error}`));
      else waiter.resolve(message);
    });
    process.once("exit", (code, signal) => {
      for (const waiter of this.waiting.values())
        waiter.reject(new Error(`${name} exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  /** Forks `bench/src/<file>` with `env` and waits (up to 60 s) until it says it is ready. */
  static async start(
    name: string,
    file: string,
    env: Record<string, string> = {},
    execArgv: string[] = [],
  ): Promise<BenchChild> {
    const child = fork(join(__dirname, "..", file), [], {
      execArgv: ["--import", "tsx", ...execArgv],
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const info = await new Promise<ChildMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s`)), 60_000);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited while starting (${code ?? signal})`));
      });
      child.once("message", (message: ChildMessage) => {
        clearTimeout(timer);
        if (message.ready) resolve(message);
        else reject(new Error(`${name}: ${message.error ?? "did not start"}`));
      });
    });
    return new BenchChild(name, child, info);
  }

  get pid(): number {
    return this.process.pid ?? 0;
  }

  request(command: Record<string, unknown>, timeoutMs = 120_000): Promise<ChildMessage> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: no answer to ${String(command.type)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.process.send({ ...command, id });
    });
  }

  /** Fire-and-forget command. */
  send(command: Record<string, unknown>): void {
    this.process.send(command);
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once("exit", resolve));
    this.process.kill("SIGTERM");
    const timer = setTimeout(() => this.process.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** Child side: answers commands by type; exits when the parent goes away. */
export function serveParent(
  handlers: Record<
    string,
    (command: ChildMessage) => Promise<Record<string, unknown>> | Record<string, unknown>
  >,
): void {
  process.on("disconnect", () => process.exit(0));
  process.on("SIGTERM", () => process.exit(0));
  process.on("message", (command: ChildMessage) => {
    const handler = handlers[String(command.type)];
    const reply = (message: Record<string, unknown>) => process.send?.({ ...message, id: command.id });
    if (!handler) return reply({ error: `unknown command ${String(command.type)}` });
    Promise.resolve()
      .then(() => handler(command))
      .then(reply, (error: unknown) =>
        reply({ error: error instanceof Error ? error.message : String(error) }),
      );
  });
}

export function ready(info: Record<string, unknown>): void {
  process.send?.({ ...info, ready: true });
}

/** Resident set size of a process, in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : NaN;
}
