/**
 * RabbitMQ from the machine's own `rabbitmq-server`, as a private node: its own node name, AMQP,
 * distribution and epmd ports, data, logs, config and Erlang cookie in a temporary folder, no plugins.
 * When we are root it runs as the `rabbitmq` user (or `nobody`), owning that folder.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ManagedProcess,
  chownTree,
  findExecutable,
  makeTempDir,
  onProcessExit,
  tailFiles,
  unprivilegedUser,
} from "./process";
import type { RabbitHandle } from "./rabbit";
import { waitForAmqp } from "./rabbit";
import { freePort } from "./wait";

const START_TIMEOUT_MS = 60_000;

export function rabbitmqServer(): string {
  const found = findExecutable(
    "rabbitmq-server",
    [
      process.env.TALK_TEST_RABBITMQ_SERVER ?? "",
      // Debian/Ubuntu: the real script. /usr/sbin/rabbitmq-server is a wrapper that forces /var/lib/rabbitmq.
      "/usr/lib/rabbitmq/bin/rabbitmq-server",
      "/opt/rabbitmq/sbin/rabbitmq-server",
      "/usr/local/sbin/rabbitmq-server",
      "/opt/homebrew/sbin/rabbitmq-server",
    ].filter(Boolean),
  );
  if (!found) {
    throw new Error(
      "RabbitMQ is not available: set TALK_TEST_RABBITMQ_URL, run a Docker engine, or install rabbitmq-server (apt-get install -y rabbitmq-server)",
    );
  }
  return found;
}

export interface Layout {
  /** The node's data (RABBITMQ_MNESIA_BASE): deleting it is a lost disk. */
  mnesiaDir: string;
  dir: string;
  port: number;
  distPort: number;
  epmdPort: number;
  /** The address the node listens on (127.0.0.1, or its own in an isolated network: a long node name). */
  address: string;
  node: string;
  startupLog: string;
  nodeLog: string;
  /** Plugins enabled at boot (none by default), e.g. rabbitmq_shovel. */
  plugins: string[];
}

/**
 * A node's folder, ports and config. Nodes of one cluster share an epmd port (so they find each
 * other) and an Erlang cookie (so they trust each other). `address`: the node's own address in an
 * isolated network (see netns.ts), which becomes the host part of its (long) node name; `config`:
 * more rabbitmq.conf lines; `plugins`: plugins to enable at boot.
 */
export async function prepare(
  shared: {
    epmdPort?: number;
    cookie?: string;
    address?: string;
    config?: string[];
    plugins?: string[];
  } = {},
): Promise<Layout> {
  const plugins = shared.plugins ?? [];
  const [port, distPort] = [await freePort(), await freePort()];
  const epmdPort = shared.epmdPort ?? (await freePort());
  const dir = makeTempDir("rabbit");
  for (const sub of ["home", "mnesia", "log"]) mkdirSync(join(dir, sub));
  if (shared.cookie) writeFileSync(join(dir, "home", ".erlang.cookie"), shared.cookie, { mode: 0o400 });
  const address = shared.address ?? "127.0.0.1";
  const node = `talk-test-${port}@${shared.address ?? "localhost"}`;
  writeFileSync(
    join(dir, "rabbitmq.conf"),
    [
      `listeners.tcp.default = ${address}:${port}`,
      "loopback_users = none",
      "disk_free_limit.absolute = 50MB",
      "log.file.level = info",
      "log.console = true",
      "log.console.level = warning",
      ...(shared.config ?? []),
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, "enabled_plugins"), `[${plugins.join(",")}].\n`);
  writeFileSync(join(dir, "rabbitmq-env.conf"), "");
  return {
    dir,
    mnesiaDir: join(dir, "mnesia"),
    port,
    distPort,
    epmdPort,
    address,
    node,
    startupLog: join(dir, "startup.log"),
    nodeLog: join(dir, "log", `${node}.log`),
    plugins,
  };
}

export function environment(layout: Layout): NodeJS.ProcessEnv {
  const { dir } = layout;
  return {
    PATH: `${process.env.PATH ?? ""}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    HOME: join(dir, "home"), // Erlang writes its .erlang.cookie here
    ERL_EPMD_PORT: String(layout.epmdPort),
    RABBITMQ_NODENAME: layout.node,
    RABBITMQ_NODE_IP_ADDRESS: layout.address,
    // a node name with an address for its host part is a long name (for the CLI tools too)
    ...(layout.address !== "127.0.0.1" && { RABBITMQ_USE_LONGNAME: "true" }),
    RABBITMQ_NODE_PORT: String(layout.port),
    RABBITMQ_DIST_PORT: String(layout.distPort),
    RABBITMQ_MNESIA_BASE: layout.mnesiaDir,
    RABBITMQ_LOG_BASE: join(dir, "log"),
    RABBITMQ_CONFIG_FILE: join(dir, "rabbitmq.conf"),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, "advanced.config"),
    RABBITMQ_CONF_ENV_FILE: join(dir, "rabbitmq-env.conf"),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, "enabled_plugins"),
    RABBITMQ_ENABLED_PLUGINS: layout.plugins.join(","),
    RABBITMQ_PID_FILE: join(dir, "rabbit.pid"),
    // Makes rabbitmq-server exec the VM instead of staying as a signal-forwarding shell, so the VM
    // is our child: it gets our SIGTERM directly and keeps the parent-death signal set by setpriv.
    // Nothing listens on this socket; the node's readiness notification is simply lost.
    NOTIFY_SOCKET: join(dir, "notify.sock"),
  };
}

export async function startLocalRabbit(): Promise<RabbitHandle> {
  const server = rabbitmqServer();
  const epmd = findExecutable("epmd", ["/usr/lib/erlang/bin/epmd"]) ?? "epmd";
  const user = unprivilegedUser(["rabbitmq", "nobody"]);
  // A port taken between freePort() and the node's bind makes the node exit early: try again.
  for (let attempt = 1; ; attempt++) {
    const layout = await prepare();
    chownTree(layout.dir, user);
    const env = environment(layout);
    const removeDir = onProcessExit(() => rmSync(layout.dir, { recursive: true, force: true }));
    // Our own epmd on a private port: nothing shared with other nodes, and nothing left behind.
    const epmdProcess = ManagedProcess.spawn(epmd, ["-port", String(layout.epmdPort)], {
      user,
      env,
      cwd: layout.dir,
      logFile: join(layout.dir, "epmd.log"),
    });
    let broker: ManagedProcess | undefined;
    const launch = async () => {
      broker = ManagedProcess.spawn(server, [], { user, env, cwd: layout.dir, logFile: layout.startupLog });
      const current = broker;
      const url = `amqp://guest:guest@127.0.0.1:${layout.port}`;
      try {
        await waitForAmqp(url, START_TIMEOUT_MS, () =>
          current.running
            ? undefined
            : `rabbitmq-server ${current.describeExit()} before accepting connections`,
        );
      } catch (err) {
        await current.stop("SIGKILL", 1000);
        const message = err instanceof Error ? err.message : String(err);
        throw new Error(
          `Could not start RabbitMQ node ${layout.node} in ${layout.dir}: ${message}\n${tailFiles([layout.startupLog, layout.nodeLog])}`,
        );
      }
      return url;
    };
    let url: string;
    try {
      url = await launch();
    } catch (err) {
      const exitedEarly = broker !== undefined && !broker.running;
      await epmdProcess.stop("SIGKILL", 1000);
      if (attempt < 3 && exitedEarly && /eaddrinuse|address already in use/i.test(String(err))) {
        rmSync(layout.dir, { recursive: true, force: true });
        removeDir();
        continue;
      }
      throw err;
    }
    let closed = false;
    const handle: RabbitHandle = {
      url,
      restartable: true,
      async stop() {
        // SIGTERM makes the Erlang VM shut RabbitMQ down cleanly, as `rabbitmqctl stop` would.
        await broker?.stop("SIGTERM", 30_000);
      },
      async start() {
        if (closed) throw new Error("This RabbitMQ handle is closed");
        if (broker?.running) return;
        await launch();
      },
      async kill() {
        await broker?.stop("SIGKILL", 5_000);
      },
      async close() {
        if (closed) return;
        closed = true;
        await broker?.stop("SIGTERM", 10_000);
        await epmdProcess.stop("SIGTERM", 2_000);
        rmSync(layout.dir, { recursive: true, force: true });
        removeDir();
      },
    };
    return handle;
  }
}
