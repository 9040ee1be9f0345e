/**
 * The embedded mode's one PGlite shared by the managers, each in its own schema: a manager sees only
 * its own tables, and a transaction of one manager never has another manager's statements inside it
 * (they wait for its end, and its rollback leaves theirs alone). The session passes to the next
 * caller as soon as a FoldedTransaction's COMMIT is on its way, failed or not.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Knex } from "knex";
import { FoldedTransaction, SharedPglite, createPgliteTemplate, holdsDatabase, migrate } from "../src";

describe("one PGlite, a schema per manager", () => {
  let dir: string;
  let shared: SharedPglite;
  let agents: Knex;
  let chats: Knex;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "talk-test-shared-pglite-"));
    shared = new SharedPglite({ dir });
    agents = shared.database("agent_manager");
    chats = shared.database("chat_manager");
    const table = (name: string) => ({
      name: `001_${name}`,
      up: (db: Knex) => db.schema.createTable(name, (t) => t.integer("n").notNullable()),
    });
    await migrate(agents, [table("agents")]);
    await migrate(chats, [table("chats")]);
  }, 60_000);

  afterAll(async () => {
    await agents.destroy();
    await chats.destroy();
    await shared.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives each manager its own tables, migrations included, and none of the others'", async () => {
    await agents("agents").insert({ n: 1 });
    expect(await agents("agents").count({ c: "*" })).toEqual([{ c: 1 }]);
    await expect(agents("chats").select()).rejects.toThrow(/relation "chats" does not exist/);
    await expect(chats("agents").select()).rejects.toThrow(/relation "agents" does not exist/);
    const migrated = async (db: Knex) => (await db("knex_migrations").select("name")).map((r) => r.name);
    expect(await migrated(agents)).toEqual(["001_agents"]);
    expect(await migrated(chats)).toEqual(["001_chats"]);
  });

  it("runs another manager's statement after a transaction ends, never inside it", async () => {
    let insideTransaction!: () => void;
    const transactionStarted = new Promise<void>((resolve) => (insideTransaction = resolve));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const order: string[] = [];
    const rolledBack = agents
      .transaction(async (trx) => {
        await trx("agents").insert({ n: 100 });
        insideTransaction();
        await finished;
        order.push("agents rolls back");
        throw new Error("rolled back on purpose");
      })
      .catch((error: Error) => error.message);
    await transactionStarted;
    const chatWrite = chats("chats")
      .insert({ n: 7 })
      .then(() => order.push("chats writes"));
    finish();
    expect(await rolledBack).toBe("rolled back on purpose");
    await chatWrite;
    expect(order).toEqual(["agents rolls back", "chats writes"]);
    expect(await chats("chats").select("n")).toEqual([{ n: 7 }]);
    expect(await agents("agents").where({ n: 100 }).count({ c: "*" })).toEqual([{ c: 0 }]);
  });

  it("hands the session on with a COMMIT that fails, rolled back before the next caller's statements", async () => {
    await chats.raw("create table if not exists uniques (n integer primary key)");
    await chats("uniques").insert({ n: 1 });
    const order: string[] = [];
    const failing = FoldedTransaction.run(chats, async (trx) => {
      await trx.step([{ sql: "insert into uniques (n) values (?)", bindings: [2] }]);
      // the other manager's transaction waits for the session meanwhile
      order.push("chats commits");
      await trx.commit([{ sql: "insert into uniques (n) values (?)", bindings: [1] }]);
    }).catch((error: { code?: string }) => error.code);
    const next = FoldedTransaction.run(agents, async (trx) => {
      order.push("agents begins");
      const [rows] = await trx.commit([
        { sql: "insert into agents (n) values (?) returning n", bindings: [200] },
      ]);
      return rows;
    });
    expect(await failing).toBe("23505");
    expect(await next).toEqual([{ n: 200 }]);
    expect(order).toEqual(["chats commits", "agents begins"]);
    expect(await chats("uniques").select("n").orderBy("n")).toEqual([{ n: 1 }]);
    expect(await agents("agents").where({ n: 200 }).count({ c: "*" })).toEqual([{ c: 1 }]);
  });

  it("starts a new folder from an initialised template without running initdb", async () => {
    const template = join(dir, "template");
    await createPgliteTemplate(template);
    expect(holdsDatabase(template)).toBe(true);
    const copy = new SharedPglite({ dir: join(dir, "copy"), template });
    const db = copy.database("file_manager");
    try {
      expect(holdsDatabase(join(dir, "copy"))).toBe(true);
      expect((await db.raw("select current_schema() as s")).rows).toEqual([{ s: "file_manager" }]);
    } finally {
      await db.destroy();
      await copy.close();
    }
  }, 60_000);
});
