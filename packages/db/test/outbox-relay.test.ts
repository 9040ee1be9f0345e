/**
 * The outbox relay, on PGlite and on a PostgreSQL server: events leave in the order they were
 * written, each once, and are deleted only once the bus accepted them — an event whose publish
 * failed stays and leaves with the next pass. On PGlite the relay holds the one session only for its
 * read and its delete, not while the bus publishes.
 */
import type { Bus } from "@talk/bus";
import type { ExchangeMessage } from "@talk/contracts";
import { silentLogger } from "@talk/kit";
import { eachDatabase } from "@talk/testkit";
import type { Knex } from "knex";
import {
  OUTBOX_TABLE,
  OutboxRelay,
  connectDatabase,
  insertingEvents,
  migrate,
  outboxMigration,
} from "../src";

/** A bus that records what it is given; `publish` waits for `gate` and fails while `failing`. */
class RecordingBus {
  published: string[] = [];
  failing = false;
  gate: Promise<void> = Promise.resolve();

  async publish(event: ExchangeMessage): Promise<void> {
    await this.gate;
    if (this.failing) throw new Error("the broker did not confirm");
    this.published.push(event.id);
  }
}

const events = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `e${from + i}` }) as unknown as ExchangeMessage);

describe.each(eachDatabase())("the outbox relay on %s", (_name, open) => {
  let db: Knex;
  let close: () => Promise<void>;
  let bus: RecordingBus;
  let relay: OutboxRelay;
  beforeAll(async () => {
    const database = await open();
    close = database.close;
    db = connectDatabase(database.config);
    await migrate(db, [outboxMigration]);
  }, 60_000);
  afterAll(async () => {
    await db.destroy();
    await close();
  });
  beforeEach(async () => {
    await db(OUTBOX_TABLE).delete();
    bus = new RecordingBus();
    relay = new OutboxRelay(db, bus as unknown as Bus, silentLogger, undefined, "events", undefined, 3);
  });
  const write = async (list: ExchangeMessage[]) => {
    const { sql, bindings } = insertingEvents(list);
    await db.raw(sql, bindings);
  };
  const left = async () => (await db(OUTBOX_TABLE).orderBy("id").select("id")).length;

  it("publishes every event once, in the order written, and deletes them", async () => {
    await write(events(1, 4));
    await write(events(5, 3));
    await relay.drain();
    expect(bus.published).toEqual(events(1, 7).map((e) => e.id));
    expect(await left()).toBe(0);
    await write(events(8, 1));
    await relay.drain();
    expect(bus.published).toEqual(events(1, 8).map((e) => e.id));
  });

  it("keeps the events whose publish failed, and publishes them with the next pass", async () => {
    await write(events(1, 2));
    bus.failing = true;
    await expect(relay.drain()).rejects.toThrow("the broker did not confirm");
    expect(await left()).toBe(2);
    bus.failing = false;
    await relay.drain();
    expect(bus.published).toEqual(["e1", "e2"]);
    expect(await left()).toBe(0);
  });

  it("lets other statements run while the bus publishes", async () => {
    await write(events(1, 2));
    let confirm!: () => void;
    bus.gate = new Promise<void>((resolve) => (confirm = resolve));
    const draining = relay.drain();
    // the relay is waiting for the bus: another caller's write commits meanwhile
    await write(events(3, 1));
    expect(bus.published).toEqual([]);
    confirm();
    await draining;
    await relay.drain();
    expect(bus.published).toEqual(["e1", "e2", "e3"]);
    expect(await left()).toBe(0);
  });
});
