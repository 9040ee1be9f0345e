/**
 * Upgrading to the chat-changes protocol: a change chat-manager committed but had not yet published
 * when it was upgraded leaves in the protocol's shape (its old `seq` is its revision), so
 * message-manager applies it instead of dropping it.
 */
import { randomUUID } from "node:crypto";
import { assertValid, chatChangeSchema } from "@talk/contracts";
import { OUTBOX_TABLE, connectDatabase, migrate } from "@talk/db";
import { eachDatabase } from "@talk/testkit";
import { migrations } from "../src/store/migrations";

const [, openPglite] = eachDatabase().find(([name]) => name === "PGlite")!;

it("an unpublished change written before the upgrade is published as a chat change, its seq as its revision", async () => {
  const database = await openPglite();
  const db = connectDatabase(database.config);
  try {
    const before = migrations.filter((m) => m.name !== "003_chat_revisions_agent_names");
    await migrate(db, before);
    const chatId = randomUUID();
    const old = {
      id: randomUUID(),
      type: "chat_updated",
      version: 1,
      publisher: "chat-manager",
      customer_id: randomUUID(),
      chat_id: chatId,
      seq: 7,
      time: "2024-01-17 10:32:00.000000",
      data: { id: chatId },
    };
    await db(OUTBOX_TABLE).insert({ event: JSON.stringify(old) });
    await migrate(db, migrations);
    const [row] = await db(OUTBOX_TABLE).select("event");
    const event = typeof row.event === "string" ? JSON.parse(row.event) : row.event;
    const { seq: _seq, publisher: _publisher, ...rest } = old;
    expect(event).toEqual({ ...rest, revision: 7 });
    expect(() => assertValid(chatChangeSchema, event, "change")).not.toThrow();
  } finally {
    await db.destroy();
    await database.close();
  }
});
