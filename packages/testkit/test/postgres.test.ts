import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { Client } from "pg";
import { describeNeeding, startPostgres, type PostgresHandle } from "../src";

const describeWithPostgres = describeNeeding(["postgres"]);

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function refused(url: string): Promise<boolean> {
  return query(url, "SELECT 1").then(
    () => false,
    () => true,
  );
}

describeWithPostgres("startPostgres", () => {
  let pg: PostgresHandle;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.close();
  });

  it("serves fresh databases", async () => {
    const a = await pg.createDatabase();
    const b = await pg.createDatabase("talk_named_db");
    expect(a).not.toEqual(b);
    expect(b).toMatch(/\/talk_named_db$/);
    await query(a, "CREATE TABLE t (x int)");
    await expect(query(b, "SELECT * FROM t")).rejects.toThrow(/does not exist/);
    expect(await query(pg.url, "SELECT current_database() AS db")).toEqual([{ db: "postgres" }]);
  });

  it("keeps committed data across stop/start and kill/start, on the same URL", async () => {
    if (!pg.restartable) return;
    const db = await pg.createDatabase();
    await query(db, "CREATE TABLE t (x int); INSERT INTO t VALUES (1)");
    await pg.stop();
    expect(await refused(db)).toBe(true);
    await pg.start();
    await query(db, "INSERT INTO t VALUES (2)");
    await pg.kill();
    expect(await refused(db)).toBe(true);
    await pg.start();
    expect(await query(db, "SELECT x FROM t ORDER BY x")).toEqual([{ x: 1 }, { x: 2 }]);
  }, 60_000);
});

describeWithPostgres("testkit CLI", () => {
  it("prints the URL as JSON, serves until SIGTERM, then cleans up", async () => {
    const root = join(__dirname, "../../..");
    const child = spawn(join(root, "node_modules/.bin/tsx"), [join(__dirname, "../src/cli.ts"), "postgres"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once("line", resolve);
      child.once("exit", () => reject(new Error("the CLI exited before printing its URL")));
    });
    const printed: unknown = JSON.parse(line);
    expect(printed).toEqual({ kind: "postgres", url: expect.stringMatching(/^postgres:\/\//) });
    const { url } = printed as { url: string };
    expect(await query(url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(await refused(url)).toBe(true);
  }, 120_000);
});
