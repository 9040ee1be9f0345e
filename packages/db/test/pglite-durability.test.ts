/**
 * The embedded mode's commits reach the disk: PGlite's file system on Node has no fsync and ignores
 * fdatasync, so its thread gives it one, and PostgreSQL's own syncs (wal_sync_method=fsync) reach
 * the disk — the WAL at a durable commit, before the statement returns; data files at a checkpoint —
 * while calls that commit nothing durable sync nothing. The whole folder is flushed once at start
 * (a new folder is a copy of the template).
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

  it("flushes the whole folder once at start, then the WAL at a commit", async () => {
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

  it("syncs nothing for a call that commits nothing durable", async () => {
    await db.query("create unlogged table marks (n integer not null)");
    const before = await db.durability();
    await db.query("select n from notes");
    await db.run([
      { sql: "begin", params: [] },
      { sql: "select n from notes", params: [] },
    ]);
    await db.run([{ sql: "commit", params: [] }]);
    await db.query("insert into marks (n) values ($1)", [1]);
    await db.run([
      { sql: "begin", params: [] },
      { sql: "set local synchronous_commit = off", params: [] },
      { sql: "insert into notes (n) values ($1)", params: [3] },
      { sql: "commit", params: [] },
    ]);
    expect(await db.durability()).toEqual(before);
    // the next durable commit flushes the WAL written before it too
    await db.query("insert into notes (n) values ($1)", [4]);
    expect((await db.durability()).walSyncs).toBeGreaterThan(before.walSyncs);
  });

  it("flushes the files a checkpoint wrote", async () => {
    await db.query("insert into notes (n) values ($1)", [5]);
    const before = await db.durability();
    await db.query("checkpoint");
    expect((await db.durability()).fileSyncs).toBeGreaterThan(before.fileSyncs);
  });
});
