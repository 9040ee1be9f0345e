/**
 * Admin command: creates customers and agents directly in agent-manager's database.
 *   DATABASE_URL=postgres://… pnpm --filter @talk/agent-manager admin create-customer --name "Acme"
 *   DATABASE_URL=postgres://… pnpm --filter @talk/agent-manager admin create-agent --customer <id> \
 *       --username ann --password 'long-secret' [--name "Ann"] [--permission admin]
 * With `--pglite-dir <folder>` instead of DATABASE_URL it works on an embedded database folder.
 */
import { parseArgs } from "node:util";
import { PERMISSIONS, createAgentBody, uuid, validate } from "@talk/contracts";
import { connectDatabase, migrate } from "@talk/db";
import { databaseConfig, loadConfig } from "@talk/kit";
import { AgentService } from "./agent-service";
import { AgentStore } from "./store/agent-store";
import { migrations } from "./store/migrations";

const usage = `usage: admin create-customer --name <name>
       admin create-agent --customer <customer id> --username <u> --password <p> [--name <n>] [--detail <d>] [--permission ${PERMISSIONS.join("|")}]
options: --pglite-dir <folder> uses an embedded database instead of DATABASE_URL`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      customer: { type: "string" },
      username: { type: "string" },
      password: { type: "string" },
      detail: { type: "string" },
      permission: { type: "string" },
      "pglite-dir": { type: "string" },
    },
  });
  const command = positionals[0];
  if (command !== "create-customer" && command !== "create-agent") throw new Error(usage);
  const pgliteDir = values["pglite-dir"];
  const db = connectDatabase(
    pgliteDir
      ? { pgliteDir }
      : { url: loadConfig({ DATABASE_URL: databaseConfig.DATABASE_URL }).DATABASE_URL },
  );
  try {
    await migrate(db, migrations);
    const service = new AgentService(new AgentStore(db));
    if (command === "create-customer") {
      if (!values.name) throw new Error(`--name is required\n${usage}`);
      console.log(JSON.stringify(await service.createCustomer(values.name), null, 2));
    } else {
      const customerId = validate<string>(uuid, values.customer, "--customer");
      const draft = validate<{ username: string; password: string }>(
        createAgentBody,
        Object.fromEntries(
          Object.entries({
            username: values.username,
            password: values.password,
            name: values.name,
            detail: values.detail,
            permission: values.permission,
          }).filter(([, v]) => v !== undefined),
        ),
        "agent",
      );
      console.log(JSON.stringify(await service.createAgent(customerId, draft), null, 2));
    }
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
