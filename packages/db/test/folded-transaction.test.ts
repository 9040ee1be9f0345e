/**
 * A transaction whose BEGIN goes with its first step and whose COMMIT goes with its last, on PGlite
 * and on a PostgreSQL server: values written in as literals arrive exactly as bound parameters
 * would, nothing is seen by others before the commit, and a statement that fails in the last step
 * rolls the whole transaction back (the outcome is known) and leaves the connection usable.
 */
import { eachDatabase } from "@talk/testkit";
import type { Knex } from "knex";
import { FoldedTransaction, connectDatabase, outcomeUnknown, preparedOnSession } from "../src";

const awkward = [
  "plain",
  "it's quoted 'twice'",
  "back\\slash \\' and \\\\",
  "emoji 🎉 and ünïcödé",
  "$1 $2 ? ?? -- not a comment /* nor this */",
  'json {"a": "b\\"c"}',
];

describe.each(eachDatabase())("FoldedTransaction on %s", (name, open) => {
  let db: Knex;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const database = await open();
    close = database.close;
    db = connectDatabase(database.config);
    await db.raw("create table notes (id int primary key, body text not null, doc jsonb, tags text[])");
  }, 60_000);
  afterAll(async () => {
    await db.destroy();
    await close();
  });

  it("writes bound values exactly, and answers each statement's rows", async () => {
    const rows = await FoldedTransaction.run(db, async (trx) => {
      const [before] = await trx.step(["select count(*)::int as n from notes"]);
      return trx.commit([
        {
          sql: "insert into notes (id, body, doc, tags) select n, b, ?::jsonb, ?::text[] from unnest(?::int[], ?::text[]) as t(n, b) returning id, body",
          bindings: [JSON.stringify({ said: awkward }), awkward, awkward.map((_, i) => i + 1), awkward],
        },
        `select ${Number(before[0].n)} as before`,
      ]);
    });
    expect(rows[0]).toEqual(awkward.map((body, i) => ({ id: i + 1, body })));
    expect(rows[1]).toEqual([{ before: 0 }]);
    const stored = await db("notes").orderBy("id").select("body", "doc", "tags");
    expect(stored.map((row: { body: string }) => row.body)).toEqual(awkward);
    for (const row of stored as { doc: unknown; tags: string[] }[]) {
      expect(typeof row.doc === "string" ? JSON.parse(row.doc) : row.doc).toEqual({ said: awkward });
      expect(row.tags).toEqual(awkward);
    }
  });

  // PGlite is one session: there are no others.
  const onServer = name !== "PGlite" ? it : it.skip;
  onServer("shows nothing to others before the commit", async () => {
    let seenDuring = -1;
    await FoldedTransaction.run(db, async (trx) => {
      await trx.step([{ sql: "insert into notes (id, body) values (?, ?)", bindings: [100, "pending"] }]);
      seenDuring = Number((await db("notes").where({ id: 100 }).count({ n: "*" }))[0].n);
      await trx.commit([]);
    });
    expect(seenDuring).toBe(0);
    expect(await db("notes").where({ id: 100 }).first("body")).toEqual({ body: "pending" });
  });

  it("rolls everything back when a statement of the last step fails, and says the outcome is known", async () => {
    const failure = await FoldedTransaction.run(db, async (trx) => {
      await trx.step([{ sql: "insert into notes (id, body) values (?, ?)", bindings: [200, "first"] }]);
      await trx.commit([{ sql: "insert into notes (id, body) values (?, ?)", bindings: [1, "a duplicate"] }]);
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "23505" });
    expect(outcomeUnknown(failure)).toBe(false);
    expect(await db("notes").where({ id: 200 }).first()).toBeUndefined();
    // the connection went back to the pool usable: the next transactions commit
    for (let id = 201; id <= 203; id++)
      await FoldedTransaction.run(db, (trx) =>
        trx.commit([{ sql: "insert into notes (id, body) values (?, ?)", bindings: [id, "after"] }]),
      );
    expect(await db("notes").whereBetween("id", [200, 203]).count({ n: "*" })).toEqual([{ n: 3 }]);
  });

  it("runs statements prepared on the session with the same values and rows, and again after a failed step", async () => {
    const inserting = (id: number, body: string) =>
      preparedOnSession({
        sql: "insert into notes (id, body, tags) select ?, ?, ?::text[] returning id, body, tags",
        bindings: [id, body, [body, "?"]],
      });
    const counting = preparedOnSession({
      sql: "select count(*)::int as n from notes where id >= ?",
      bindings: [400],
    });
    for (const [i, body] of awkward.entries()) {
      const rows = await FoldedTransaction.run(db, async (trx) => {
        const [before, plain] = await trx.step([counting, "select 1 as one"]);
        const [inserted, after] = await trx.commit([inserting(400 + i, body), counting]);
        return { before, plain, inserted, after };
      });
      expect(rows).toEqual({
        before: [{ n: i }],
        plain: [{ one: 1 }],
        inserted: [{ id: 400 + i, body, tags: [body, "?"] }],
        after: [{ n: i + 1 }],
      });
    }
    // A step that fails (its transaction rolled back) leaves no statement missing or named twice.
    for (let attempt = 0; attempt < 3; attempt++)
      await expect(
        FoldedTransaction.run(db, (trx) => trx.commit([inserting(500, "later"), inserting(400, "taken")])),
      ).rejects.toMatchObject({ code: "23505" });
    const [[found]] = await FoldedTransaction.run(db, (trx) => trx.commit([counting]));
    expect(found).toEqual({ n: awkward.length });
    if (name !== "PGlite") {
      const [[kept]] = await FoldedTransaction.run(db, (trx) =>
        trx.commit(["select count(*)::int as n from pg_prepared_statements where name like 'folded%'"]),
      );
      expect((kept as { n: number }).n).toBeGreaterThan(0);
    }
  });

  it("runs statements before the BEGIN in a transaction of their own: they stand when the transaction rolls back", async () => {
    const failure = await FoldedTransaction.run(db, async (trx) => {
      const [before, inside] = await trx.step(
        [{ sql: "insert into notes (id, body) values (?, ?) returning id", bindings: [601, "inside"] }],
        {
          before: [
            preparedOnSession({
              sql: "insert into notes (id, body) values (?, ?) returning id",
              bindings: [600, "apart"],
            }),
          ],
        },
      );
      expect([before, inside]).toEqual([[{ id: 600 }], [{ id: 601 }]]);
      await trx.commit([{ sql: "insert into notes (id, body) values (?, ?)", bindings: [1, "a duplicate"] }]);
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "23505" });
    expect(await db("notes").whereIn("id", [600, 601]).select("body")).toEqual([{ body: "apart" }]);
  });

  it("rolls back when the work throws between its steps", async () => {
    await expect(
      FoldedTransaction.run(db, async (trx) => {
        await trx.step([{ sql: "insert into notes (id, body) values (?, ?)", bindings: [300, "never"] }]);
        throw new Error("decided against it");
      }),
    ).rejects.toThrow("decided against it");
    expect(await db("notes").where({ id: 300 }).first()).toBeUndefined();
  });
});

describe("outcomeUnknown", () => {
  it("is true for a lost connection or a server going away, false for a statement the server refused", () => {
    expect(outcomeUnknown(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(outcomeUnknown(Object.assign(new Error("terminating connection"), { code: "57P01" }))).toBe(true);
    expect(outcomeUnknown(Object.assign(new Error("connection failure"), { code: "08006" }))).toBe(true);
    expect(outcomeUnknown(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    expect(outcomeUnknown(Object.assign(new Error("deadlock detected"), { code: "40P01" }))).toBe(false);
  });
});
