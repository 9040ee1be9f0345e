/**
 * PostgreSQL from the machine's binaries (initdb, postgres): a fresh cluster in a temp folder,
 * listening on 127.0.0.1 and a free port, trust authentication. When we are root it runs as the
 * `postgres` user (or `nobody`), owning that folder. fsync is off for speed unless
 * asked for durable settings (the benchmark and the drills).
 */
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { PostgresHandle, PostgresOptions } from "./postgres";
import { createDatabase, postgresSettings, waitForPostgres } from "./postgres";
import {
  ManagedProcess,
  chownTree,
  findExecutable,
  makeTempDir,
  onProcessExit,
  tailFiles,
  unprivilegedUser,
  type UserIds,
} from "./process";
import { freePort } from "./wait";

const START_TIMEOUT_MS = 60_000;

/** The directory holding initdb, postgres and the other programs: PATH first, then the newest /usr/lib/postgresql/<v>/bin. */
export function binDir(): string {
  const onPath = findExecutable("initdb");
  // through a symlink (/usr/local/bin/initdb) to the folder holding every program (pg_basebackup…)
  if (onPath && findExecutable("postgres")) return realpathSync(onPath).replace(/\/initdb$/, "");
  const base = "/usr/lib/postgresql";
  let versions: string[] = [];
  try {
    versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  } catch {
    // not a Debian layout
  }
  for (const version of versions) {
    const dir = join(base, version, "bin");
    if (findExecutable("initdb", [join(dir, "initdb")])) return dir;
  }
  throw new Error(
    "PostgreSQL is not available: set TALK_TEST_POSTGRES_URL, run a Docker engine, or install PostgreSQL (initdb and postgres)",
  );
}

/** Runs one of PostgreSQL's programs (initdb, pg_basebackup, pg_rewind) as `user`; rejects with its output. */
export async function runTool(
  bin: string,
  tool: string,
  args: string[],
  user: UserIds | undefined,
  what: string,
): Promise<void> {
  const setpriv = findExecutable("setpriv", ["/usr/bin/setpriv"]);
  const [file, argv] =
    user && setpriv
      ? [
          setpriv,
          [`--reuid=${user.uid}`, `--regid=${user.gid}`, "--init-groups", "--", join(bin, tool), ...args],
        ]
      : [join(bin, tool), args];
  try {
    await promisify(execFile)(file, argv, {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C", LC_ALL: "C" },
      ...(user && !setpriv ? { uid: user.uid, gid: user.gid } : {}),
    });
  } catch (err) {
    const output = err && typeof err === "object" && "stderr" in err ? String(err.stderr) : String(err);
    throw new Error(`${tool} failed (${what}): ${output}`);
  }
}

export async function initdb(
  bin: string,
  dataDir: string,
  user: UserIds | undefined,
  log: string,
): Promise<void> {
  const args = ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"];
  await runTool(bin, "initdb", args, user, `log folder ${log}`);
}

export async function startLocalPostgres(options: PostgresOptions = {}): Promise<PostgresHandle> {
  const bin = binDir();
  const user = unprivilegedUser(["postgres", "nobody"]);
  const dir = makeTempDir("postgres");
  const removeDir = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = join(dir, "data");
  const socketDir = join(dir, "sock");
  const log = join(dir, "postgres.log");
  mkdirSync(socketDir);
  chownTree(dir, user);
  try {
    await initdb(bin, dataDir, user, dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    removeDir();
    throw err;
  }
  let port = await freePort();
  let server: ManagedProcess | undefined;
  const url = () => `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  const launch = async () => {
    const args = ["-D", dataDir, "-p", String(port), "-k", socketDir, "-c", "listen_addresses=127.0.0.1"];
    for (const setting of [...postgresSettings(options), "shared_buffers=64MB"]) args.push("-c", setting);
    const current = ManagedProcess.spawn(join(bin, "postgres"), args, {
      user,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C", LC_ALL: "C" },
      cwd: dir,
      logFile: log,
    });
    server = current;
    try {
      await waitForPostgres(url(), START_TIMEOUT_MS, () =>
        current.running ? undefined : `postgres ${current.describeExit()} before accepting connections`,
      );
    } catch (err) {
      await current.stop("SIGKILL", 1000);
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`Could not start PostgreSQL in ${dir}: ${message}\n${tailFiles([log])}`);
    }
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      if (attempt < 3 && /could not bind|address already in use/i.test(String(err))) {
        port = await freePort();
        continue;
      }
      rmSync(dir, { recursive: true, force: true });
      removeDir();
      throw err;
    }
  }
  let closed = false;
  return {
    url: url(),
    restartable: true,
    createDatabase: (name) => createDatabase(url(), name),
    async stop() {
      await server?.stop("SIGINT", 30_000); // fast shutdown: disconnects clients, checkpoints
    },
    async start() {
      if (closed) throw new Error("This PostgreSQL handle is closed");
      if (server?.running) return;
      await launch();
    },
    async kill() {
      await server?.stop("SIGKILL", 5_000);
    },
    async close() {
      if (closed) return;
      closed = true;
      await server?.stop("SIGINT", 10_000);
      rmSync(dir, { recursive: true, force: true });
      removeDir();
    },
  };
}
