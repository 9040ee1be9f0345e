/**
 * The embedded mode's commits reach the disk: PGlite's file system on Node never calls fsync, so its
 * thread flushes the WAL segments a call wrote before it answers, and the whole folder after a
 * checkpoint (and once at start, for a folder copied from the template).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGLITE_START_PARAMS } from "../src/pglite";
import { PgliteThread } from "../src/pglite-thread";

describe("PGlite's commits are flushed to disk before they are answered", () => {
  let dir: string;
  let db: PgliteThread;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "talk-test-pglite-durable-"));
    db = new PgliteThread(dir, PGLITE_START_PARAMS);
    await db.waitReady;
  }, 60_000);

  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs PostgreSQL as a durable server (fsync on)", async () => {
    const result = (await db.query("show fsync")) as { rows: { fsync: string }[] };
    expect(result.rows).toEqual([{ fsync: "on" }]);
  });

  it("flushes the whole folder once at start, then the WAL after a commit", async () => {
    await db.query("create table notes (n integer not null)");
    const before = await db.durability();
    expect(before.folderSyncs).toBeGreaterThanOrEqual(1);
    await db.run([
      { sql: "begin", params: [] },
      { sql: "insert into notes (n) values ($1)", params: [1] },
      { sql: "commit", params: [] },
    ]);
    const after = await db.durability();
    expect(after.walSyncs).toBeGreaterThan(before.walSyncs);
  });

  it("flushes a commit even when a later statement of the same call fails", async () => {
    const before = await db.durability();
    await expect(
      db.run([
        { sql: "insert into notes (n) values ($1)", params: [2] },
        { sql: "insert into notes (n) values ($1)", params: [null] },
      ]),
    ).rejects.toMatchObject({ code: "23502" });
    expect((await db.durability()).walSyncs).toBeGreaterThan(before.walSyncs);
    const rows = (await db.query("select n from notes order by n")) as { rows: { n: number }[] };
    expect(rows.rows).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("flushes the whole folder after a checkpoint", async () => {
    const before = await db.durability();
    await db.query("checkpoint");
    expect((await db.durability()).folderSyncs).toBe(before.folderSyncs + 1);
  });
});
