/**
 * A database on a primary and a synchronous standby, reached through its host list (DATABASE_HOSTS):
 * the pool connects to whichever node accepts writes, rides through a SIGKILL of the primary and the
 * promotion of the standby, and loses nothing it acknowledged; the old primary comes back as the
 * new standby. A read kept prepared on the pool's sessions (`prepared()`) survives a failover too:
 * the sessions that held it die with their server, and each new session prepares it again.
 */
import { randomUUID } from "node:crypto";
import {
  type ReplicatedPostgresHandle,
  describeNeeding,
  sleep,
  startReplicatedPostgres,
  waitFor,
} from "@talk/testkit";
import type { Knex } from "knex";
import pg from "pg";
import { FoldedTransaction, connectDatabase, migrate, onServer, pingDatabase, prepared, urlOn } from "../src";

/** Rows on one node, read directly (not through the host list). */
async function idsOn(url: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return new Set((await client.query<{ id: string }>("select id from writes")).rows.map((r) => r.id));
  } finally {
    await client.end();
  }
}

/**
 * A read kept prepared under one name, which also says whether its own session holds it as a
 * server-side prepared statement (pg_prepared_statements is per session).
 */
async function preparedRead(db: Knex): Promise<{ rows: number; preparedHere: number }> {
  const [row] = await prepared<{ rows: number; prepared_here: number }>(
    db,
    "failover_probe",
    `select (select count(*) from writes where id <> ?)::int as rows,
            (select count(*) from pg_prepared_statements where name = 'failover_probe')::int as prepared_here`,
    [randomUUID()],
  );
  return { rows: row.rows, preparedHere: row.prepared_here };
}

/** Writers that insert rows and retry each one (same id, so at most once) until acknowledged. */
function startWriters(db: Knex, count: number) {
  const acked: string[] = [];
  let failures = 0;
  let running = true;
  const writer = async () => {
    while (running) {
      const id = randomUUID();
      for (;;) {
        try {
          await db.raw("insert into writes (id) values (?) on conflict (id) do nothing", [id]);
          acked.push(id);
          break;
        } catch {
          failures++;
          await sleep(50);
        }
      }
    }
  };
  const done = Promise.all(Array.from({ length: count }, writer));
  return {
    acked,
    failures: () => failures,
    async stop() {
      running = false;
      await done;
    },
  };
}

describeNeeding(["postgres-replicated"])("a database on a primary and a synchronous standby", () => {
  let server: ReplicatedPostgresHandle;
  let url: string;
  let db: Knex;

  beforeAll(async () => {
    server = await startReplicatedPostgres();
    url = await server.createDatabase("failover");
    db = connectDatabase({ url, hosts: server.hosts, poolMax: 4 });
    await db.schema.createTable("writes", (t) => t.uuid("id").primary());
  }, 90_000);
  afterAll(async () => {
    await db?.destroy();
    await server?.close();
  });

  const port = async (on: Knex) => Number((await on.raw("select inet_server_port() as p")).rows[0].p);

  it("connects to the node that accepts writes, whichever the list names first", async () => {
    const [primary, standby] = server.nodes;
    const reversed = connectDatabase({
      url,
      hosts: `127.0.0.1:${standby.port},127.0.0.1:${primary.port}`,
      poolMax: 1,
    });
    try {
      await reversed.raw("insert into writes (id) values (?)", [randomUUID()]);
      expect(await port(reversed)).toBe(primary.port);
    } finally {
      await reversed.destroy();
    }
  });

  it("is a PostgreSQL server to the code that folds statements (FoldedTransaction, runStatements)", async () => {
    // A host list once read as PGlite: every FoldedTransaction (the sends, the outbox relay) failed
    // with "this.connection.run is not a function" on a database given DATABASE_HOSTS.
    expect(onServer(db)).toBe(true);
    const id = randomUUID();
    const rows = await FoldedTransaction.run(db, async (trx) => {
      await trx.step([{ sql: "insert into writes (id) values (?)", bindings: [id] }]);
      return trx.commit<{ n: number }>([
        { sql: "select count(*)::int as n from writes where id = ?", bindings: [id] },
      ]);
    });
    expect(rows[0][0].n).toBe(1);
  });

  it("migrates once when replicas start together (the migration lock is taken through the host list)", async () => {
    // Without the lock (a host list once read as PGlite, which takes none) two replicas both
    // created the migrations table on a new database: "duplicate key … pg_type_typname_nsp_index".
    const replicas = [1, 2, 3].map(() => connectDatabase({ url, hosts: server.hosts, poolMax: 2 }));
    const table = `migrations_${randomUUID().replace(/-/g, "")}`;
    const migrations = [
      { name: "001_once", up: (on: Knex) => on.schema.createTable(`${table}_t`, (t) => t.uuid("id")) },
    ];
    try {
      await Promise.all(replicas.map((replica) => migrate(replica, migrations, table)));
      expect(Number((await db(table).count("* as count"))[0].count)).toBe(1);
    } finally {
      await Promise.all(replicas.map((replica) => replica.destroy()));
    }
  });

  it("drops a session that refuses a write (25006) and writes on a new one", async () => {
    const single = connectDatabase({ url, hosts: server.hosts, poolMax: 1 });
    try {
      await single.raw("set default_transaction_read_only = on"); // as a primary demoted under it
      await expect(single.raw("insert into writes (id) values (?)", [randomUUID()])).rejects.toMatchObject({
        code: "25006",
      });
      await single.raw("insert into writes (id) values (?)", [randomUUID()]);
    } finally {
      await single.destroy();
    }
  });

  it("prepares a kept read again on the session that replaces one dropped for refusing a write", async () => {
    const single = connectDatabase({ url, hosts: server.hosts, poolMax: 1 });
    try {
      expect((await preparedRead(single)).preparedHere).toBe(1);
      await single.raw("set default_transaction_read_only = on"); // as a primary demoted under it
      await expect(single.raw("insert into writes (id) values (?)", [randomUUID()])).rejects.toMatchObject({
        code: "25006",
      });
      // a new session: pg's cache of what is prepared belongs to the dropped one, so it prepares anew
      expect((await preparedRead(single)).preparedHere).toBe(1);
      await single.raw("insert into writes (id) values (?)", [randomUUID()]);
    } finally {
      await single.destroy();
    }
  });

  it("rides through a SIGKILL of the primary and the standby's promotion, losing nothing acknowledged", async () => {
    const writers = startWriters(db, 4);
    await waitFor(() => writers.acked.length >= 100, { timeoutMs: 30_000 });
    await server.kill(); // the primary, every backend with it
    const ackedAtKill = writers.acked.length;
    expect(await pingDatabase(db)).toBe(false); // readiness: the database is down…
    await server.promote(1);
    expect(await pingDatabase(db)).toBe(true); // …and up again once the standby is promoted
    await waitFor(() => writers.acked.length >= ackedAtKill + 100, { timeoutMs: 30_000 });
    await writers.stop();

    expect(server.primary).toBe(1);
    expect(await port(db)).toBe(server.nodes[1].port);
    expect(writers.failures()).toBeGreaterThan(0); // the writes in flight at the kill failed, and were retried
    const stored = await idsOn(urlOn(url, { host: "127.0.0.1", port: server.nodes[1].port }));
    expect(writers.acked.filter((id) => !stored.has(id))).toEqual([]);
  }, 90_000);

  it("brings the old primary back as the synchronous standby, with every acknowledged write", async () => {
    expect(await server.rejoin(0)).toEqual({ method: "pg_rewind" });
    expect(server.nodes[0].role).toBe("standby");
    const writers = startWriters(db, 2);
    await waitFor(() => writers.acked.length >= 20, { timeoutMs: 30_000 });
    await writers.stop();
    const oldPrimary = urlOn(url, { host: "127.0.0.1", port: server.nodes[0].port });
    // synchronous: flushed there before acknowledged; replayed for reads a moment later
    await waitFor(async () => (await idsOn(oldPrimary)).size === (await db("writes").count("* as n"))[0].n, {
      timeoutMs: 30_000,
    });
  }, 90_000);

  it("serves a read kept prepared on every pooled session again after the next failover, on every session", async () => {
    const poolMax = 4;
    const reads = connectDatabase({ url, hosts: server.hosts, poolMax });
    try {
      // every session of the pool holds the statement (concurrent reads open all of them)
      const before = await Promise.all(Array.from({ length: poolMax * 2 }, () => preparedRead(reads)));
      expect(before.every((r) => r.preparedHere === 1)).toBe(true);
      expect(await port(reads)).toBe(server.nodes[server.primary].port);

      const standby = server.primary === 0 ? 1 : 0;
      await server.kill(); // the primary, and every session holding the statement with it
      await expect(preparedRead(reads)).rejects.toBeDefined(); // a broken session, or no host accepts writes
      await server.promote(standby);
      await waitFor(
        async () =>
          preparedRead(reads).then(
            () => true,
            () => false,
          ),
        { timeoutMs: 30_000, what: "the prepared read served by the new primary" },
      );
      // not one session is left failing: every read, on every session of the pool, prepared afresh
      for (let round = 0; round < 3; round++) {
        const after = await Promise.all(Array.from({ length: poolMax * 2 }, () => preparedRead(reads)));
        expect(after.every((r) => r.preparedHere === 1 && r.rows > 0)).toBe(true);
      }
      expect(await port(reads)).toBe(server.nodes[standby].port);
    } finally {
      await reads.destroy();
    }
  }, 90_000);
});
