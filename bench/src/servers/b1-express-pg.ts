/**
 * B1, the "monolith" a user could write instead: express + pg, one endpoint that inserts one row
 * into `talk_messages` (message-manager's own migrations, so the same table, keys and indexes),
 * `synchronous_commit` on, and answers the row as JSON. No broker, no outbox, no events.
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { connectDatabase, migrate } from "@talk/db";
import { migrations } from "@talk/message-manager/src/store/migrations";
import express from "express";
import pg from "pg";
import { ready, serveParent } from "../lib/child";

const INSERT = `insert into talk_messages (id, customer_id, chat_id, owner_type, owner_id, type, text, medias, tm_create, tm_update)
  values ($1, $2, $3, 'agent', $4, 'normal', $5, $6, clock_timestamp() at time zone 'utc', clock_timestamp() at time zone 'utc')
  returning *`;

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is required");
  const knex = connectDatabase({ url });
  await migrate(knex, migrations);
  await knex.destroy();
  const pool = new pg.Pool({
    connectionString: url,
    max: Number(process.env.POOL_MAX ?? 10),
    options: "-c synchronous_commit=on -c TimeZone=UTC",
  });
  const app = express();
  app.use(express.json());
  app.post("/messages", async (req, res) => {
    const { customer_id, chat_id, owner_id, text } = req.body as Record<string, string>;
    const values = [randomUUID(), customer_id, chat_id, owner_id, String(text ?? ""), JSON.stringify([])];
    try {
      const { rows } = await pool.query(INSERT, values).catch((error: { code?: string }) => {
        // Two inserts in one chat in the same microsecond: (chat_id, tm_create) is unique. Once more.
        if (error.code === "23505") return pool.query(INSERT, values);
        throw error;
      });
      res.json(rows[0]);
    } catch (error) {
      res.status(500).json({ error: String(error) });
    }
  });
  const server = app.listen(0, "127.0.0.1", () => ready({ port: (server.address() as AddressInfo).port }));
  serveParent({});
}

main().catch((error: unknown) => {
  process.send?.({ error: String(error) });
  process.exit(1);
});
