/** Small async helpers for tests: poll until an outcome, find a free TCP port, sleep. */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface WaitForOptions {
  /** Give up after this many milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Pause between probes (default 50). */
  intervalMs?: number;
  /** What is awaited, for the timeout error. */
  what?: string;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` until it returns a truthy value and resolves with it. A probe that throws counts as
 * "not yet"; on timeout the last error (if any) is named in the thrown error.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `; last error: ${lastError.message}` : "";
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${options.what ?? "a condition"}${why}`);
    }
    await sleep(Math.min(intervalMs, Math.max(1, deadline - Date.now())));
  }
}

/**
 * A TCP port no process listens on, that no other caller on this machine was given lately. The
 * kernel picks it (bind to port 0), and it is reserved with an exclusive file under
 * `<tmp>/talk-ports/<hour>/` before it is handed out: parallel test workers each start servers on
 * ports they got here, and between a caller's probe and its server's bind the kernel can hand the
 * same free port to another caller — whose service then fails with EADDRINUSE while the first
 * one's readiness probe is answered by the wrong server (a CI run lost a file-manager that way).
 * A reservation holds for the current and the next hour; older hours are removed.
 */
export async function freePort(): Promise<number> {
  const hour = Math.floor(Date.now() / 3_600_000);
  const root = join(tmpdir(), "talk-ports");
  const dir = join(root, String(hour));
  mkdirSync(dir, { recursive: true });
  forgetHoursBefore(root, hour - 1);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await kernelPort();
    if (reserved(join(root, String(hour - 1)), port)) continue;
    try {
      writeFileSync(join(dir, String(port)), String(process.pid), { flag: "wx" });
      return port;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  throw new Error("could not find a free TCP port that no other test process was given in the last hour");
}

function reserved(dir: string, port: number): boolean {
  return existsSync(join(dir, String(port)));
}

function forgetHoursBefore(root: string, hour: number): void {
  for (const name of readdirSync(root))
    if (Number(name) < hour) rmSync(join(root, name), { recursive: true, force: true });
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("could not allocate a free port"))));
    });
  });
}
