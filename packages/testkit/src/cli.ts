/**
 * Starts a test server and keeps it running until SIGTERM/SIGINT:
 *   tsx packages/testkit/src/cli.ts rabbit     → prints {"kind":"rabbit","url":"amqp://..."}
 *   tsx packages/testkit/src/cli.ts postgres   → prints {"kind":"postgres","url":"postgres://..."}
 * One JSON line on stdout once the server accepts connections; diagnostics go to stderr.
 */
import { startPostgres } from "./postgres";
import { startRabbit } from "./rabbit";

interface Running {
  url: string;
  close(): Promise<void>;
}

export async function runCli(argv: string[]): Promise<void> {
  const kind = argv[0];
  let running: Running;
  if (kind === "rabbit" || kind === "rabbitmq") running = await startRabbit();
  else if (kind === "postgres" || kind === "postgresql") running = await startPostgres();
  else {
    process.stderr.write("usage: cli.ts rabbit|postgres\n");
    process.exitCode = 2;
    return;
  }
  process.stdout.write(
    `${JSON.stringify({ kind: kind.startsWith("rabbit") ? "rabbit" : "postgres", url: running.url })}\n`,
  );
  const keepAlive = setInterval(() => {}, 1 << 30);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping ${kind}\n`);
    running
      .close()
      .catch((err: unknown) => process.stderr.write(`error while stopping: ${String(err)}\n`))
      .finally(() => {
        clearInterval(keepAlive);
        process.exit(0);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGHUP", () => stop("SIGHUP"));
}

if (require.main === module) {
  runCli(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
