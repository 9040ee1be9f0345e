/**
 * A replicated PostgreSQL from the machine's binaries, as CloudNativePG runs one: a primary and a
 * hot standby fed by streaming replication (pg_basebackup), the primary waiting for the standby to
 * flush every commit (`synchronous_standby_names = '*'`, `synchronous_commit = on`), both on the
 * durability asked for. Drills kill the primary (SIGKILL), promote the standby and bring the old
 * primary back as the new standby (pg_rewind, or a fresh base backup when rewinding fails).
 *
 * While only one node runs (after a promotion, until the other rejoins), the primary commits
 * without waiting for a standby, as CloudNativePG's `dataDurability: preferred`: otherwise every
 * write would hang until the failed node is back.
 */
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import type { PostgresHandle, PostgresOptions } from "./postgres";
import { createDatabase, postgresSettings, waitForPostgres } from "./postgres";
import { binDir, initdb, runTool } from "./postgres-local";
import {
  ManagedProcess,
  chownTree,
  makeTempDir,
  onProcessExit,
  tailFiles,
  unprivilegedUser,
  type UserIds,
} from "./process";
import { freePort, sleep } from "./wait";

const START_TIMEOUT_MS = 60_000;
const SYNC_TIMEOUT_MS = 30_000;

export type PostgresRole = "primary" | "standby";

export interface PostgresNodeHandle {
  /** postgres://…@127.0.0.1:<port>/postgres of this node. */
  url: string;
  port: number;
  readonly role: PostgresRole;
  readonly running: boolean;
  /** SIGKILL of the node (its server and every backend). */
  kill(): Promise<void>;
  /** Fast shutdown. */
  stop(): Promise<void>;
  /** Starts again in its role with its data. */
  start(): Promise<void>;
}

export interface ReplicatedPostgresHandle extends PostgresHandle {
  nodes: PostgresNodeHandle[];
  /** Every node as host:port, comma-separated: what DATABASE_HOSTS takes. */
  hosts: string;
  /** Index of the node in the primary role. */
  readonly primary: number;
  /** Promotes standby `index` to primary (the primary must be down): it accepts writes on return. */
  promote(index: number): Promise<void>;
  /**
   * Brings node `index` (a former primary, stopped or killed) back as a synchronous standby of the
   * current primary: pg_rewind to the primary's timeline (a fresh base backup if that fails).
   */
  rejoin(index: number): Promise<{ method: "pg_rewind" | "pg_basebackup"; rewindError?: string }>;
  /** Waits until a standby streams from the primary and is its synchronous one. */
  waitForSyncStandby(timeoutMs?: number): Promise<void>;
}

const query = async <R extends object>(url: string, sql: string): Promise<R[]> => {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
};

class LocalNode implements PostgresNodeHandle {
  private server: ManagedProcess | undefined;
  role: PostgresRole;
  /** The primary's port a standby streams from. */
  upstream = 0;

  constructor(
    readonly name: string,
    readonly dir: string,
    readonly port: number,
    role: PostgresRole,
    private readonly bin: string,
    private readonly user: UserIds | undefined,
    private readonly settings: string[],
  ) {
    this.role = role;
  }

  get dataDir() {
    return join(this.dir, "data");
  }
  get log() {
    return join(this.dir, "postgres.log");
  }
  get url() {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/postgres`;
  }
  get running() {
    return this.server?.running ?? false;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const standby = join(this.dataDir, "standby.signal");
    if (this.role === "standby") writeFileSync(standby, "");
    else rmSync(standby, { force: true });
    chownTree(this.dir, this.user);
    const args = ["-D", this.dataDir, "-p", String(this.port), "-k", this.dir];
    const conninfo = `host=127.0.0.1 port=${this.upstream} user=postgres application_name=${this.name}`;
    for (const setting of [
      ...this.settings,
      "listen_addresses=127.0.0.1",
      "shared_buffers=32MB",
      "wal_level=replica",
      "max_wal_senders=10",
      "hot_standby=on",
      ...(this.role === "standby" ? [`primary_conninfo=${conninfo}`] : []),
    ])
      args.push("-c", setting);
    const current = ManagedProcess.spawn(join(this.bin, "postgres"), args, {
      user: this.user,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C", LC_ALL: "C" },
      cwd: this.dir,
      logFile: this.log,
    });
    this.server = current;
    try {
      await waitForPostgres(this.url, START_TIMEOUT_MS, () =>
        current.running ? undefined : `postgres ${current.describeExit()} before accepting connections`,
      );
    } catch (err) {
      await current.stop("SIGKILL", 1000);
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(
        `Could not start PostgreSQL ${this.name} in ${this.dir}: ${message}\n${tailFiles([this.log])}`,
      );
    }
  }

  async stop(): Promise<void> {
    await this.server?.stop("SIGINT", 30_000);
  }

  async kill(): Promise<void> {
    await this.server?.stop("SIGKILL", 5_000);
  }

  /** A copy of the primary on `upstream` as this node's data (the folder is emptied first). */
  async baseBackup(upstream: number): Promise<void> {
    rmSync(this.dataDir, { recursive: true, force: true });
    chownTree(this.dir, this.user);
    const args = ["-D", this.dataDir, "-h", "127.0.0.1", "-p", String(upstream), "-U", "postgres"];
    await runTool(this.bin, "pg_basebackup", [...args, "-X", "stream", "-c", "fast"], this.user, this.name);
  }

  /** Winds this (stopped) node back to where the primary on `upstream` branched off its timeline. */
  async rewind(upstream: number): Promise<void> {
    const source = `host=127.0.0.1 port=${upstream} user=postgres dbname=postgres`;
    await runTool(
      this.bin,
      "pg_rewind",
      [`--target-pgdata=${this.dataDir}`, `--source-server=${source}`],
      this.user,
      this.name,
    );
  }
}

export async function startReplicatedPostgres(
  options: PostgresOptions = {},
): Promise<ReplicatedPostgresHandle> {
  const bin = binDir();
  const user = unprivilegedUser(["postgres", "nobody"]);
  const root = makeTempDir("postgres-ha");
  const removeDir = onProcessExit(() => rmSync(root, { recursive: true, force: true }));
  // pg_rewind needs full-page writes whatever the durability (fsync may stay off for tests)
  const settings = postgresSettings(options).filter((setting) => setting !== "full_page_writes=off");
  const nodes: LocalNode[] = [];
  for (const [i, role] of (["primary", "standby"] as const).entries()) {
    const dir = join(root, `node${i + 1}`);
    nodes.push(new LocalNode(`node${i + 1}`, dir, await freePort(), role, bin, user, settings));
  }
  const [first, second] = nodes;
  let primary = 0;
  const primaryNode = () => nodes[primary];

  const setSync = async (on: boolean) => {
    await query(
      primaryNode().url,
      on
        ? "alter system set synchronous_standby_names = '*'"
        : "alter system reset synchronous_standby_names",
    );
    await query(primaryNode().url, "select pg_reload_conf()");
  };
  const waitForSyncStandby = async (timeoutMs = SYNC_TIMEOUT_MS) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await query<{ n: string }>(
        primaryNode().url,
        "select count(*) as n from pg_stat_replication where state = 'streaming' and sync_state = 'sync'",
      ).catch(() => [{ n: "0" }]);
      if (Number(rows[0]?.n) > 0) return;
      if (Date.now() > deadline)
        throw new Error(`No synchronous standby streams from ${primaryNode().name} within ${timeoutMs} ms`);
      await sleep(100);
    }
  };

  const close = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(root, { recursive: true, force: true });
    removeDir();
  };
  try {
    for (const node of nodes) mkdirSync(node.dir, { recursive: true });
    chownTree(root, user);
    await initdb(bin, first.dataDir, user, first.dir);
    // in the configuration file, not only on the command line, as pg_rewind's crash recovery of a
    // killed node runs without our command line: hint bits WAL-logged, and the WAL back to the last
    // checkpoint before the nodes diverged kept (that recovery's checkpoint would recycle it)
    appendFileSync(join(first.dataDir, "postgresql.conf"), "\nwal_log_hints = on\nwal_keep_size = 256MB\n");
    await first.start();
    await second.baseBackup(first.port);
    second.upstream = first.port;
    await second.start();
    await setSync(true);
    await waitForSyncStandby();
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }

  let closed = false;
  return {
    get url() {
      return primaryNode().url;
    },
    restartable: true,
    nodes,
    hosts: nodes.map((node) => `127.0.0.1:${node.port}`).join(","),
    get primary() {
      return primary;
    },
    createDatabase: (name) => createDatabase(primaryNode().url, name),
    stop: () => primaryNode().stop(),
    start: () => primaryNode().start(),
    kill: () => primaryNode().kill(),
    async promote(index) {
      const node = nodes[index];
      if (node.role !== "standby") throw new Error(`${node.name} is not a standby`);
      if (primaryNode().running)
        throw new Error(`Stop or kill the primary ${primaryNode().name} before promoting`);
      const [promoted] = await query<{ ok: boolean }>(node.url, "select pg_promote(true, 60) as ok");
      if (!promoted?.ok) throw new Error(`${node.name} did not finish its promotion within 60 s`);
      primaryNode().role = "standby";
      node.role = "primary";
      primary = index;
      await setSync(false); // alone until a standby follows (dataDurability: preferred)
    },
    async rejoin(index) {
      const node = nodes[index];
      if (index === primary) throw new Error(`${node.name} is the primary`);
      await node.kill();
      node.upstream = primaryNode().port;
      // the promotion's checkpoint writes the new timeline where pg_rewind reads it
      await query(primaryNode().url, "checkpoint");
      let method: "pg_rewind" | "pg_basebackup" = "pg_rewind";
      let rewindError: string | undefined;
      try {
        await node.rewind(node.upstream);
      } catch (err) {
        method = "pg_basebackup";
        rewindError = err instanceof Error ? err.message : String(err);
        await node.baseBackup(node.upstream);
      }
      node.role = "standby";
      await node.start();
      await setSync(true);
      await waitForSyncStandby();
      return { method, ...(rewindError && { rewindError }) };
    },
    waitForSyncStandby,
    async close() {
      if (closed) return;
      closed = true;
      await close();
    },
  };
}
