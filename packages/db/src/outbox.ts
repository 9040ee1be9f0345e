/**
 * Transactional outbox: a change and its events commit together; a relay publishes them after
 * commit, in order, and deletes them only once the broker confirmed. One relay at a time drains a
 * database (an advisory lock), so events of one chat leave in the order their transactions committed.
 */
import { randomUUID } from "node:crypto";
import type { Bus } from "@talk/bus";
import {
  normalizeTimestamp,
  EVENT_SCHEMA_VERSION,
  type EventEnvelope,
  type EventEnvelopeHeader,
  type EventPayload,
  type EventType,
  type ExchangeMessage,
  type PublishedExchange,
  CHAT_CHANGE_VERSION,
  type ChatChange,
  type ChatChangeDraft,
} from "@talk/contracts";
import {
  type Logger,
  type Metrics,
  type OpenSpan,
  SpanKind,
  type TraceCarrier,
  contextFrom,
  failed,
  openSpan,
  traceContext,
} from "@talk/kit";
import type { Knex } from "knex";
import { type IdempotencyKey, oncePerKey } from "./idempotency";
import type { Migration } from "./migrate";
import { FoldedTransaction, preparedOnSession } from "./folded-transaction";
import { type Statement, onServer } from "./statements";

export const OUTBOX_TABLE = "talk_outbox";
const RELAY_LOCK_KEY = 7_346_221; // any constant: one relay per database drains at a time

export const outboxMigration: Migration = {
  name: "000_outbox",
  async up(db) {
    await db.schema.createTable(OUTBOX_TABLE, (t) => {
      t.bigIncrements("id").primary();
      t.jsonb("event").notNullable();
      t.specificType("created_at", "timestamp(6)")
        .notNullable()
        .defaultTo(db.raw("(clock_timestamp() at time zone 'utc')"));
    });
  },
};

export interface EventDraft<T extends EventType> extends TraceCarrier {
  /** Kept when an event is re-published (e.g. sequenced by another service); new otherwise. */
  id?: string;
  /** The service that made the change; this outbox's service by default. */
  publisher?: string;
  type: T;
  customer_id: string;
  chat_id: string;
  seq: number;
  data: EventPayload<T>;
  time: string;
  request_id?: string;
  /** `traceparent`/`tracestate`: the trace the event belongs to (default: the active span's). */
}

/** The trace context a message is written with: its draft's, else the active span's (none while tracing is off). */
const traceOfDraft = (draft: TraceCarrier): TraceCarrier =>
  draft.traceparent
    ? { traceparent: draft.traceparent, ...(draft.tracestate && { tracestate: draft.tracestate }) }
    : traceContext();

/** Emits a message of the outbox's exchange: a public event, or a chat change. */
export type Emit<X extends PublishedExchange = "events"> = X extends "chatChanges"
  ? (draft: ChatChangeDraft) => void
  : <T extends EventType>(draft: EventDraft<T>) => void;

/**
 * The statement that writes events to the outbox, in the order given (they are published in it).
 * A statement of its own, or a part of a caller's (`runAsOne`).
 */
export function insertingEvents(events: readonly ExchangeMessage[]): Statement {
  return {
    sql: `insert into ${OUTBOX_TABLE} (event) select e from unnest(?::jsonb[]) with ordinality as t(e, n) order by n`,
    bindings: [events.map((event) => JSON.stringify(event))],
  };
}

/**
 * Takes the events emitted so far out of the outbox's hands, as the statement that writes them
 * (`insertingEvents`): the caller runs it as a part of its own statement, saving a round trip.
 * Events emitted later are still written by the outbox.
 */
export type TakeEvents = () => Statement;

export class Outbox<X extends PublishedExchange = "events"> {
  private readonly relay: OutboxRelay;

  constructor(
    private readonly db: Knex,
    bus: Bus,
    private readonly publisher: string,
    logger: Logger,
    metrics?: Metrics,
    /** Where the relay publishes (default the public `events` exchange); what `emit` takes. */
    private readonly exchange: X = "events" as X,
    /** A stream the relay also appends every pass to, as one entry (see `Bus.appendToStream`). */
    stream?: string,
  ) {
    this.relay = new OutboxRelay(
      db,
      bus,
      logger.child({ component: "outbox-relay" }),
      metrics,
      exchange,
      stream,
    );
  }

  /**
   * Runs `work` in a transaction; the events it emits are written in the same transaction. With an
   * idempotency key, a repeat of the same request returns the first result and does nothing.
   */
  async transaction<T>(
    work: (trx: Knex.Transaction, emit: Emit<X>, take: TakeEvents) => Promise<T>,
    idempotency?: IdempotencyKey,
  ): Promise<T> {
    const result = await this.db.transaction((trx) =>
      oncePerKey(trx, idempotency, () => this.inTransaction(trx, work)),
    );
    this.relay.nudge();
    return result;
  }

  private async inTransaction<T>(
    trx: Knex.Transaction,
    work: (trx: Knex.Transaction, emit: Emit<X>, take: TakeEvents) => Promise<T>,
  ): Promise<T> {
    const { emit, take, pending } = this.collector();
    const value = await work(trx, emit, take);
    if (pending()) {
      const { sql, bindings } = take();
      await trx.raw(sql, bindings);
    }
    return value;
  }

  /**
   * Events for a transaction the caller runs itself (e.g. a `FoldedTransaction`): `emit` them,
   * `take` the statement that writes them as a part of the caller's last one, and call `committed`
   * once it committed (the relay publishes them then).
   */
  collector(): { emit: Emit<X>; take: TakeEvents; pending(): boolean } {
    let events: ExchangeMessage[] = [];
    const emitEvent: Emit = (draft) => {
      const header: EventEnvelopeHeader = {
        id: draft.id ?? randomUUID(),
        version: EVENT_SCHEMA_VERSION,
        publisher: draft.publisher ?? this.publisher,
        customer_id: draft.customer_id,
        chat_id: draft.chat_id,
        seq: draft.seq,
        time: normalizeTimestamp(draft.time),
        ...(draft.request_id ? { request_id: draft.request_id } : {}),
        ...traceOfDraft(draft),
      };
      events.push({ ...header, type: draft.type, data: draft.data } as EventEnvelope);
    };
    const emitChange: Emit<"chatChanges"> = ({ request_id, time, traceparent, tracestate, ...draft }) => {
      events.push({
        id: randomUUID(),
        version: CHAT_CHANGE_VERSION,
        ...draft,
        time: normalizeTimestamp(time),
        ...(request_id ? { request_id } : {}),
        ...traceOfDraft({ traceparent, tracestate }),
      } as ChatChange);
    };
    const emit = (this.exchange === "chatChanges" ? emitChange : emitEvent) as Emit<X>;
    const take: TakeEvents = () => {
      const taken = insertingEvents(events);
      events = [];
      return taken;
    };
    return { emit, take, pending: () => events.length > 0 };
  }

  /** After a transaction of the caller's own with events (`collector`) committed. */
  committed(): void {
    this.relay.nudge();
  }

  start(pollIntervalMs?: number): void {
    this.relay.start(pollIntervalMs);
  }

  async stop(): Promise<void> {
    await this.relay.stop();
  }

  /** Publishes everything pending now; resolves when the outbox was empty at some point. */
  flush(): Promise<void> {
    return this.relay.drain();
  }
}

/** The event as published: its consumers continue the relay's span (when tracing is on). */
function continuedBy<M extends ExchangeMessage>(event: M, published: OpenSpan): M {
  const trace = published.within(() => traceContext());
  return trace.traceparent ? { ...event, ...trace } : event;
}

export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(
    private readonly db: Knex,
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
    private readonly exchange: PublishedExchange = "events",
    private readonly stream?: string,
    private readonly batchSize = 200,
  ) {}

  start(pollIntervalMs = 1000): void {
    this.stopped = false;
    this.timer = setInterval(() => this.nudge(), pollIntervalMs);
    this.timer.unref();
    this.nudge();
  }

  nudge(): void {
    if (this.stopped) return;
    void this.drain().catch(() => undefined);
  }

  /** One drain at a time per process; a nudge during a drain schedules one more pass. */
  drain(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      try {
        do {
          this.again = false;
          while ((await this.publishBatch()) === this.batchSize);
        } while (this.again && !this.stopped);
      } catch (error) {
        this.logger.warn({ err: error }, "outbox relay pass failed; will retry");
        throw error;
      } finally {
        this.draining = undefined;
      }
    })();
    return this.draining;
  }

  private async publishBatch(): Promise<number> {
    return onServer(this.db) ? this.publishBatchInTransaction() : this.publishBatchThenDelete();
  }

  /**
   * On a server, where replicas of a service share the database: the events are taken out, published
   * and deleted in one transaction holding the relay's lock, so two replicas never publish the same
   * events, nor out of order.
   */
  private async publishBatchInTransaction(): Promise<number> {
    return FoldedTransaction.run(this.db, async (trx) => {
      // The delete below sees every commit made before this connection was had, so a nudge from
      // one of them needs no pass of its own (a drain nudged while waiting for the connection
      // used to run an empty pass after this one).
      this.again = false;
      // Taken out and published in one transaction: if the broker does not confirm them all, the
      // rollback puts them back. The BEGIN, the lock and the delete go in one round trip (the
      // COMMIT in another); the delete, a statement of its own, sees what committed before the
      // lock was granted. The COMMIT does not wait for its WAL to reach the disk (the next durable
      // commit takes it there): a crash can lose only the delete, and the events are published
      // again — delivery is at-least-once anyway (a confirm can be lost the same way); every event
      // stays in the outbox until it was published.
      const [, , taken] = await trx.step<{
        id: number | string;
        event: ExchangeMessage | string;
        created_at: string;
      }>([
        "set local synchronous_commit = off",
        `select pg_advisory_xact_lock(${RELAY_LOCK_KEY})`,
        // Kept prepared on the session: planned once, not on every pass.
        preparedOnSession({
          sql: `delete from ${OUTBOX_TABLE} where id in (select id from ${OUTBOX_TABLE} order by id limit ?) returning id, event, created_at`,
          bindings: [this.batchSize],
        }),
      ]);
      const rows = taken.sort((a, b) => Number(a.id) - Number(b.id));
      const pending =
        rows.length < this.batchSize
          ? rows.length
          : rows.length +
            Number((await trx.step<{ n: number }>([`select count(*) as n from ${OUTBOX_TABLE}`]))[0][0].n);
      this.observeLag(pending, rows[0]?.created_at);
      if (rows.length === 0) return 0;
      await this.publish(rows);
      await trx.commit([]);
      return rows.length;
    });
  }

  /**
   * On PGlite (one process, one session, one relay per schema): the events are read, published,
   * then deleted — each a transaction of its own, so the one session is free while the bus
   * publishes. A transaction around the publish held it, and so every service's database, until
   * the bus accepted the events: with a broker (RABBITMQ_URL) until it confirmed them, up to the
   * publish timeout while it is away. Nothing else deletes from the outbox and this relay's passes
   * run one at a time, so the events leave in the order they committed, and none twice except after
   * a crash between its publish and its delete (delivery is at-least-once).
   */
  private async publishBatchThenDelete(): Promise<number> {
    type Row = { id: number | string; event: ExchangeMessage | string; created_at: string };
    const [rows] = await FoldedTransaction.run(this.db, (trx) => {
      // The read sees every commit made before this connection was had, so a nudge from one of
      // them needs no pass of its own.
      this.again = false;
      return trx.commit<Row>([
        `select id, event, created_at from ${OUTBOX_TABLE} order by id limit ${this.batchSize}`,
      ]);
    });
    const pending =
      rows.length < this.batchSize
        ? rows.length
        : Number(
            ((await this.db.raw(`select count(*) as n from ${OUTBOX_TABLE}`)) as { rows: { n: number }[] })
              .rows[0].n,
          );
    this.observeLag(pending, rows[0]?.created_at);
    if (rows.length === 0) return 0;
    await this.publish(rows);
    // The delete commits asynchronously (see above): a crash can lose only it, and the events are
    // published again.
    await FoldedTransaction.run(this.db, (trx) =>
      trx.commit([
        "set local synchronous_commit = off",
        {
          sql: `delete from ${OUTBOX_TABLE} where id = any(?::bigint[])`,
          bindings: [rows.map((row) => String(row.id))],
        },
      ]),
    );
    return rows.length;
  }

  /** Publishes the rows' events in order; resolves once the bus accepted (the broker confirmed) them all. */
  private async publish(
    rows: readonly { id: number | string; event: ExchangeMessage | string }[],
  ): Promise<void> {
    const written = rows.map((row) =>
      typeof row.event === "string" ? (JSON.parse(row.event) as ExchangeMessage) : row.event,
    );
    const spans = written.map((event) => this.publishSpan(event));
    const events = written.map((event, i) => continuedBy(event, spans[i]));
    // Issued in order on one channel; each resolves on its broker confirm. The stream gets the
    // pass as one entry (one write and one delivery per reader, not one per event).
    try {
      await Promise.all([
        ...events.map((event) => this.bus.publish<PublishedExchange>(event, { exchange: this.exchange })),
        // Only an outbox of public events has a stream.
        ...(this.stream ? [this.bus.appendToStream(this.stream, events as EventEnvelope[])] : []),
      ]);
    } catch (err) {
      for (const { span } of spans) failed(span, err);
      throw err;
    } finally {
      for (const { span } of spans) span.end();
    }
  }

  /** A producer span per event, under the trace it was written in (a no-op while tracing is off). */
  private publishSpan(event: ExchangeMessage): OpenSpan {
    return openSpan(`publish ${event.type}`, {
      kind: SpanKind.PRODUCER,
      parent: contextFrom(event),
      attributes: {
        "messaging.system": "rabbitmq",
        "messaging.operation.type": "publish",
        "messaging.destination.name": this.exchange,
        "messaging.message.id": event.id,
        "talk.outbox.relay": true,
      },
    });
  }

  private observeLag(pending: number, oldest?: string): void {
    if (!this.metrics) return;
    this.metrics.outboxPending.set(pending);
    this.metrics.outboxLag.set(
      oldest ? Math.max(0, (Date.now() - Date.parse(oldest.replace(" ", "T") + "Z")) / 1000) : 0,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.draining?.catch(() => undefined);
  }
}
