/**
 * Running a server binary of the machine for tests: as an unprivileged user when we are root, in
 * its own process group, with a parent-death signal (so a crashed test run leaves nothing behind),
 * its output in a log file, and a synchronous kill registered for process exit.
 */
import { spawn, type ChildProcess } from "node:child_process";
import {
  chownSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export interface UserIds {
  name: string;
  uid: number;
  gid: number;
}

const TEMP_PREFIX = "talk-testkit-";
const exitHooks = new Set<() => void>();
let exitHookInstalled = false;

/** Runs `hook` synchronously when this process exits (normally or through process.exit). */
export function onProcessExit(hook: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const fn of [...exitHooks]) {
        try {
          fn();
        } catch {
          // best effort: the process is going away
        }
      }
    });
  }
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

/** Looks a user up in /etc/passwd. */
export function lookupUser(name: string): UserIds | undefined {
  let passwd: string;
  try {
    passwd = readFileSync("/etc/passwd", "utf8");
  } catch {
    return undefined;
  }
  for (const line of passwd.split("\n")) {
    const [user, , uid, gid] = line.split(":");
    if (user === name && uid !== undefined && gid !== undefined)
      return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/** When running as root, the first existing user of `candidates` (servers refuse to run as root); otherwise none. */
export function unprivilegedUser(candidates: string[]): UserIds | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  for (const name of candidates) {
    const user = lookupUser(name);
    if (user) return user;
  }
  throw new Error(
    `Running as root, but none of the users ${candidates.join(", ")} exists to run the server as`,
  );
}

/** Finds an executable: the first existing absolute candidate, else a lookup on PATH. */
export function findExecutable(name: string, candidates: string[] = []): string | undefined {
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** A fresh private folder under the system temp dir, recorded as ours so stale ones can be swept. */
export function makeTempDir(kind: string): string {
  sweepStaleTempDirs();
  const dir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}${kind}-`));
  writeFileSync(join(dir, "owner.pid"), String(process.pid));
  return dir;
}

/** Removes folders left by test runs whose process is gone (killed before it could clean up). */
function sweepStaleTempDirs(): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir()).filter((e) => e.startsWith(TEMP_PREFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = join(tmpdir(), entry);
    try {
      const owner = Number(readFileSync(join(dir, "owner.pid"), "utf8"));
      if (owner > 0 && !isAlive(owner)) rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours, or being created right now
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function chownTree(dir: string, user: UserIds | undefined): void {
  if (!user) return;
  chownSync(dir, user.uid, user.gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) chownTree(path, user);
    else chownSync(path, user.uid, user.gid);
  }
}

/** The last `lines` lines of each existing file, labelled, for error messages. */
export function tailFiles(files: string[], lines = 40): string {
  const parts: string[] = [];
  for (const file of files) {
    try {
      const text = readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
      parts.push(`--- ${file} (last ${lines} lines) ---\n${text}`);
    } catch {
      // absent
    }
  }
  return parts.join("\n");
}

export interface SpawnOptions {
  user?: UserIds;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout and stderr are appended to this file. */
  logFile: string;
  /** Runs the command in this network namespace (`ip netns exec`, which execs it: same process). */
  netns?: string;
}

/** A child process we started, in its own process group. */
export class ManagedProcess {
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<void>;
  private readonly removeExitHook: () => void;

  private constructor(
    private readonly child: ChildProcess,
    readonly description: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        this.removeExitHook();
        resolve();
      });
      child.once("error", () => {
        this.exitInfo ??= { code: -1, signal: null };
        this.removeExitHook();
        resolve();
      });
    });
    this.removeExitHook = onProcessExit(() => this.signal("SIGKILL"));
  }

  static spawn(command: string, args: string[], options: SpawnOptions): ManagedProcess {
    const log = openSync(options.logFile, "a");
    const setpriv = findExecutable("setpriv", ["/usr/bin/setpriv", "/bin/setpriv"]);
    let file = command;
    let argv = args;
    if (setpriv) {
      // setpriv changes user (when root) and sets a parent-death signal that survives the execs of
      // wrapper scripts, so the server dies with the test process even if that is SIGKILLed.
      const creds = options.user
        ? [`--reuid=${options.user.uid}`, `--regid=${options.user.gid}`, "--init-groups"]
        : [];
      file = setpriv;
      argv = [...creds, "--pdeathsig", "KILL", "--", command, ...args];
    }
    if (options.netns) {
      argv = ["netns", "exec", options.netns, file, ...argv];
      file = findExecutable("ip", ["/usr/sbin/ip", "/sbin/ip"]) ?? "ip";
    }
    try {
      const child = spawn(file, argv, {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ["ignore", log, log],
        ...(options.user && !setpriv ? { uid: options.user.uid, gid: options.user.gid } : {}),
      });
      return new ManagedProcess(child, `${command} ${args.join(" ")}`);
    } finally {
      closeSync(log);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  describeExit(): string {
    if (!this.exitInfo) return "still running";
    return this.exitInfo.signal
      ? `killed by ${this.exitInfo.signal}`
      : `exited with code ${String(this.exitInfo.code)}`;
  }

  /** Sends `signal` to the whole process group (or only to the leader). */
  signal(signal: NodeJS.Signals, group = true): void {
    const pid = this.child.pid;
    if (!pid) return;
    if (group) {
      try {
        process.kill(-pid, signal);
        return;
      } catch {
        // no such group any more: fall back to the leader
      }
    }
    if (!this.running) return;
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }

  /**
   * Sends `signal` to the leader (a graceful stop), waits for it to exit, escalating to SIGKILL of
   * the group after `graceMs`, then kills any straggler of the group.
   */
  async stop(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    if (this.running) {
      this.signal(signal, signal === "SIGKILL");
      let timer: NodeJS.Timeout | undefined;
      const escalated = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.signal("SIGKILL");
          resolve();
        }, graceMs);
      });
      await Promise.race([this.exited, escalated]);
      clearTimeout(timer);
      await this.exited;
    }
    this.signal("SIGKILL");
  }
}
