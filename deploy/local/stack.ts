/**
 * The distributed stack on this machine's binaries, for trying Talk as it runs in production:
 * RabbitMQ and PostgreSQL on free ports in temporary folders, and every service as its own process
 * (two replicas of each). Runs in the foreground; Ctrl-C (or SIGTERM) stops everything.
 *   pnpm stack            # or: REPLICAS=3 pnpm stack
 *   RABBITMQ_CLUSTER_SIZE=3 pnpm stack   # RabbitMQ as a local 3-node cluster (quorum queues on 3 replicas)
 */
import { startDistributed } from "@talk/stack";

async function main(): Promise<void> {
  const replicas = Number(process.env.REPLICAS ?? 2);
  process.stdout.write(`starting RabbitMQ, PostgreSQL and ${replicas} replica(s) of every service...\n`);
  const rabbitNodes = Number(process.env.RABBITMQ_CLUSTER_SIZE ?? 1);
  const stack = await startDistributed({
    replicas,
    rabbitNodes,
    logLevel: process.env.LOG_LEVEL ?? "info",
  });
  const lines = [
    "",
    `Talk (distributed) is up. Public API: ${stack.url}/v1.0`,
    ...(stack.rabbitCluster?.urls ?? [stack.rabbit.url]).map((url) => `  RabbitMQ:   ${url}`),
    ...Object.entries(stack.databases).map(([service, url]) => `  ${service.padEnd(13)} database ${url}`),
    ...stack.processes.map(
      (p) => `  ${p.spec.name.padEnd(16)} pid ${String(p.pid).padEnd(7)} ${p.url}  log ${p.logFile}`,
    ),
    "  Create a customer and agents with the admin command, e.g.:",
    `    DATABASE_URL='${stack.databases["agent-manager"]}' pnpm --filter @talk/agent-manager admin create-customer --name Acme`,
    "Press Ctrl-C to stop everything.",
    "",
  ];
  process.stdout.write(lines.join("\n"));
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write("\nstopping...\n");
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
