/**
 * The embedded data folder: a new one holds one PGlite (`pglite/`, a schema per manager) made from
 * the initialised template; one made before that (a PGlite folder per manager) keeps its layout and
 * its data — the demo agents seeded there still log in after the upgrade.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectDatabase, createPgliteTemplate } from "@talk/db";
import { EMBEDDED_MANAGERS, startEmbedded } from "@talk/embedded";
import { silentLogger } from "@talk/kit";
import { Api } from "../support/http";

let root: string;
let template: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "talk-data-folder-"));
  template = join(root, "template");
  await createPgliteTemplate(template);
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const aliceLogsIn = async (url: string) =>
  (await new Api(url).post("/auth/login", { username: "alice", password: "alice-talk-demo" })).status;

it("starts a new data folder as one PGlite with a schema per manager, from the template", async () => {
  const dataDir = join(root, "new");
  const system = await startEmbedded({ dataDir, port: 0, logger: silentLogger, pgliteTemplate: template });
  try {
    expect(await aliceLogsIn(system.url)).toBe(200);
    for (const service of EMBEDDED_MANAGERS) expect(existsSync(join(dataDir, service))).toBe(false);
    const schemas = await system.databases["agent-manager"].raw<{ rows: { schema: string }[] }>(
      "select nspname as schema from pg_namespace where nspname like '%\\_manager' order by 1",
    );
    expect(schemas.rows.map((r) => r.schema)).toEqual([
      "agent_manager",
      "chat_manager",
      "file_manager",
      "message_manager",
    ]);
  } finally {
    await system.stop();
  }
}, 120_000);

it("keeps a data folder of one PGlite per manager, and its data, as it is", async () => {
  const dataDir = join(root, "old");
  // the layout before: every manager's own PGlite folder, the demo seeded into agent-manager's
  for (const service of EMBEDDED_MANAGERS) cpSync(template, join(dataDir, service), { recursive: true });
  const old = await startEmbedded({ dataDir, port: 0, logger: silentLogger, pgliteTemplate: template });
  await old.stop();
  const agents = connectDatabase({ pgliteDir: join(dataDir, "agent-manager") });
  try {
    expect(await agents("agents").where({ username: "alice" }).count({ n: "*" })).toEqual([{ n: 1 }]);
  } finally {
    await agents.destroy();
  }
  const again = await startEmbedded({ dataDir, port: 0, logger: silentLogger, pgliteTemplate: template });
  try {
    expect(again.seeded).toBeUndefined();
    expect(await aliceLogsIn(again.url)).toBe(200);
    expect(existsSync(join(dataDir, "pglite"))).toBe(false);
  } finally {
    await again.stop();
  }
}, 180_000);
