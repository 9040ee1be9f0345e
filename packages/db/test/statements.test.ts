/**
 * Several statements in one round trip, on PGlite and on a PostgreSQL server: each answers its own
 * rows, in order, and sees what committed before it ran (its own snapshot); values go in only as
 * checked UUID literals.
 */
import { randomUUID } from "node:crypto";

import { eachDatabase, waitFor } from "@talk/testkit";
import type { Knex } from "knex";
import { connectDatabase, onServer, prepared, runAsOne, runStatements, uuidLiterals } from "../src";

describe("uuidLiterals", () => {
  it("writes UUIDs as SQL literals and refuses anything else, naming it", () => {
    const id = randomUUID();
    expect(uuidLiterals([id, id])).toBe(`'${id}'::uuid, '${id}'::uuid`);
    // The API's ids are lowercase (the contracts' one UUID pattern): anything else is refused.
    expect(() => uuidLiterals([id.toUpperCase()])).toThrow(/not a UUID/);
    expect(() => uuidLiterals([id, "x'); drop table chats; --"])).toThrow(
      `not a UUID: "x'); drop table chats; --"`,
    );
    expect(() => uuidLiterals([`${id} `])).toThrow(/not a UUID/);
  });
});

describe.each(eachDatabase())("statements on %s", (name, open) => {
  let db: Knex;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const database = await open();
    close = database.close;
    db = connectDatabase(database.config);
    await db.schema.createTable("things", (t) => {
      t.uuid("id").primary();
      t.integer("n").notNullable();
    });
  }, 60_000);
  afterAll(async () => {
    await db.destroy();
    await close();
  });

  it("knows which database it is on", () => {
    expect(onServer(db)).toBe(name === "PostgreSQL server");
  });

  it("answers each statement's rows, in order, one statement included", async () => {
    const ids = [randomUUID(), randomUUID()];
    await db("things").insert(ids.map((id, n) => ({ id, n })));
    expect(
      await runStatements(db, [`select n from things where id in (${uuidLiterals(ids)}) order by n`]),
    ).toEqual([[{ n: 0 }, { n: 1 }]]);
    const [updated, read, none] = await runStatements<{ n: number }>(db, [
      `update things set n = n + 10 where id = ${uuidLiterals([ids[0]])} returning n`,
      `select n from things where id in (${uuidLiterals(ids)}) order by n`,
      `select n from things where false`,
    ]);
    expect(updated).toEqual([{ n: 10 }]);
    expect(read).toEqual([{ n: 1 }, { n: 10 }]); // the second statement sees the first one's change
    expect(none).toEqual([]);
    expect(await runStatements(db, [])).toEqual([]);
  });

  it("runs data-modifying statements as one, with their bindings in order", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const inserting = (id: string, n: number) => ({
      sql: "insert into things (id, n) values (?, ?)",
      bindings: [id, n],
    });
    await runAsOne(db, [inserting(a, 41), inserting(b, 42)]);
    expect(await db("things").whereIn("id", [a, b]).orderBy("n").pluck("n")).toEqual([41, 42]);
    await runAsOne(db, [{ sql: "update things set n = n + ? where id = ?", bindings: [1, a] }]);
    expect(await db("things").where({ id: a }).pluck("n")).toEqual([42]);
    await expect(runAsOne(db, [])).resolves.toBeUndefined();
  });

  // PGlite has one connection: a second transaction cannot run while the first holds it.
  if (name === "PostgreSQL server")
    it("in a transaction, a later statement sees what another transaction committed while an earlier one waited for a lock", async () => {
      const id = randomUUID();
      await db("things").insert({ id, n: 0 });
      const holder = await db.transaction();
      await holder("things").where({ id }).update({ n: 1 });
      await holder("things").insert({ id: randomUUID(), n: 99 });
      const waiting = db.transaction((trx) =>
        runStatements<{ n: number }>(trx, [
          `select n from things where id = ${uuidLiterals([id])} for update`,
          `select count(*)::int as n from things where n = 99`,
        ]),
      );
      await waitFor(
        async () => {
          const { rows } = await db.raw("select count(*)::int as n from pg_locks where not granted");
          return (rows as { n: number }[])[0].n > 0;
        },
        { what: "the second transaction to wait for the row lock" },
      );
      await holder.commit();
      const [locked, counted] = await waiting;
      expect(locked).toEqual([{ n: 1 }]);
      expect(counted).toEqual([{ n: 1 }]);
    });

  it("answers a prepared read's rows with its bindings, call after call", async () => {
    const ids = [randomUUID(), randomUUID()];
    await db("things").insert(ids.map((id, n) => ({ id, n: n + 100 })));
    const read = (id: string) =>
      prepared<{ n: number }>(db, "things-by-id", "select n from things where id = ?", [id]);
    expect(await read(ids[0])).toEqual([{ n: 100 }]);
    expect(await read(ids[1])).toEqual([{ n: 101 }]);
    expect(
      await prepared<{ n: number }>(
        db,
        "things-in",
        "select n from things where id = any(?::uuid[]) order by n",
        [`{${ids.join(",")}}`],
      ),
    ).toEqual([{ n: 100 }, { n: 101 }]);
    // an array binding, the same statement outside and inside a transaction (knex's runner there)
    const inArray = (db: Knex | Knex.Transaction) =>
      prepared<{ n: number }>(
        db,
        "things-in-array",
        "select n from things where id = any(?::uuid[]) order by n",
        [ids],
      );
    expect(await inArray(db)).toEqual([{ n: 100 }, { n: 101 }]);
    expect(await db.transaction((trx) => inArray(trx))).toEqual([{ n: 100 }, { n: 101 }]);
    expect(await inArray(db)).toEqual([{ n: 100 }, { n: 101 }]);
  });

  it("fails a prepared read with the database's error, and its session goes on serving", async () => {
    await expect(
      prepared(db, "things-bad", "select n from things where id = ?", ["not a uuid"]),
    ).rejects.toMatchObject({
      code: "22P02",
    });
    expect(
      await prepared(db, "things-count", "select count(*)::int as c from things where n >= ?", [0]),
    ).toEqual([{ c: expect.any(Number) }]);
  });

  // The point of it: the server plans it once per session, then runs the plan it kept.
  if (name === "PostgreSQL server")
    it("is kept prepared on the session under its name, and planned once: a generic plan from the sixth run", async () => {
      const id = randomUUID();
      await db("things").insert({ id, n: 7 });
      const statement = await db.transaction(async (trx) => {
        for (let run = 0; run < 8; run++)
          expect(
            await prepared<{ n: number }>(trx, "things-n", "select n from things where id = ?", [id]),
          ).toEqual([{ n: 7 }]);
        const { rows } = await trx.raw(
          "select generic_plans::int, custom_plans::int from pg_prepared_statements where name = 'things-n'",
        );
        return (rows as { generic_plans: number; custom_plans: number }[])[0];
      });
      expect(statement).toEqual({ generic_plans: 3, custom_plans: 5 });
    });
});
