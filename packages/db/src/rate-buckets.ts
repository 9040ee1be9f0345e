/**
 * Token buckets kept by the service that owns a write, in its own database, so that every replica
 * of every caller (two gateways, two managers) draws on one budget. One statement refills and takes
 * a token atomically; the table is UNLOGGED — a bucket is not worth a WAL write, and a crash only
 * refills the buckets. See docs/decisions/rate-limits.md.
 */
import { type Actor, AppError, type RateLimitState } from "@talk/contracts";
import type { Metrics } from "@talk/kit";
import type { Knex } from "knex";
import type { Migration } from "./migrate";
import type { Statement } from "./statements";

export const RATE_BUCKETS_TABLE = "talk_rate_buckets";

export const rateBucketsMigration: Migration = {
  name: "rate_buckets",
  async up(db) {
    await db.raw(
      `create unlogged table if not exists ${RATE_BUCKETS_TABLE} (key text primary key, tokens double precision not null, at timestamptz not null)`,
    );
  },
};

/** A budget: `perMinute` tokens come back each minute, at most `perMinute` are held (the burst). */
export interface Bucket {
  key: string;
  perMinute: number;
}

type Db = Knex | Knex.Transaction;

export interface WriteRates {
  perAgentPerMinute: number;
  perCustomerPerMinute: number;
}

export const DEFAULT_WRITE_RATES: WriteRates = { perAgentPerMinute: 1200, perCustomerPerMinute: 120000 };

/**
 * An agent's and its customer's write budgets: each write takes a token from both, or is refused
 * (429). Writes that arrive while a charge is being made wait and are charged together with one
 * statement: every bucket of the group gives all its tokens at once when it has them all (the
 * usual case: one round trip for the group instead of two per write). When any bucket of the group
 * cannot, what the statement took is given back and each write of the group is charged alone, in
 * the order they came, exactly as one by one (so a refusal says which bucket and when to retry).
 * A write alone is a group of one: both its buckets in one round trip.
 */
export class WriteBudget {
  private queue: Charge[] = [];
  private charging = false;
  private scheduled = false;

  constructor(
    private readonly db: Knex,
    private readonly rates: WriteRates,
    private readonly metrics?: Metrics,
  ) {}

  take(actor: Actor): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ actor, resolve, reject });
      // Charged once the code that asks is done (a microtask later): charges asked together (the
      // sends of one request that carries many) are one statement.
      if (this.scheduled) return;
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.pump();
      });
    });
  }

  private pump(): void {
    if (this.charging || this.queue.length === 0) return;
    this.charging = true;
    const group = this.queue.splice(0, MAX_GROUP);
    void this.charge(group).finally(() => {
      this.charging = false;
      this.pump();
    });
  }

  private bucketsOf(actor: Actor): [BucketName, Bucket][] {
    return [
      ["agent", { key: `agent:${actor.agent_id}`, perMinute: this.rates.perAgentPerMinute }],
      ["customer", { key: `customer:${actor.customer_id}`, perMinute: this.rates.perCustomerPerMinute }],
    ];
  }

  /**
   * A write's charge left to the code that writes it (`folding`), which may make it in a round trip
   * of its own instead of one of the budget's.
   */
  pending(actor: Actor): PendingCharge {
    return { budget: this, actor };
  }

  /**
   * The charge of a group of writes for a caller's round trip: one statement, to run in a
   * transaction of its own (it must not roll back with the caller's; FoldedTransaction's `before`),
   * and what its rows say — every write of the group granted, or not. When not (or when there is no
   * statement: the group wants more than a bucket holds), `settle` does what `take` does then: what
   * the statement took given back, and each write charged alone, in order, its refusal saying which
   * bucket and when to retry.
   */
  folding(actors: Actor[]): FoldedCharge {
    const wants = this.wantsOf(actors);
    const fits = wants.every((w) => w.tokens <= w.bucket.perMinute);
    return {
      statement: fits ? takingTokens(wants) : undefined,
      granted: (rows) => grantedKeys(rows).size === wants.length,
      settle: async (rows) => {
        const results: PromiseSettledResult<void>[] = [];
        try {
          if (rows) {
            const granted = grantedKeys(rows);
            await againOnDeadlock(() =>
              giveBack(
                this.db,
                wants.filter((w) => granted.has(w.bucket.key)),
              ),
            );
          }
          for (const actor of actors)
            results.push(
              await this.takeAlone(actor).then(
                () => ({ status: "fulfilled", value: undefined }) as const,
                (reason: unknown) => ({ status: "rejected", reason }) as const,
              ),
            );
        } catch (reason) {
          while (results.length < actors.length) results.push({ status: "rejected", reason });
        }
        return results;
      },
    };
  }

  private wantsOf(actors: Actor[]): Want[] {
    const wanted = new Map<string, Want>();
    for (const actor of actors)
      for (const [, bucket] of this.bucketsOf(actor)) {
        const want = wanted.get(bucket.key) ?? { bucket, tokens: 0 };
        want.tokens += 1;
        wanted.set(bucket.key, want);
      }
    return [...wanted.values()];
  }

  private async charge(group: Charge[]): Promise<void> {
    try {
      const wants = this.wantsOf(group.map((charge) => charge.actor));
      if (wants.every((w) => w.tokens <= w.bucket.perMinute)) {
        const { sql, bindings } = takingTokens(wants);
        const granted = grantedKeys(
          await againOnDeadlock(async () =>
            rowsOf<Record<string, unknown>>(await this.db.raw(sql, bindings)),
          ),
        );
        if (granted.size === wants.length) {
          for (const charge of group) charge.resolve();
          return;
        }
        await againOnDeadlock(() =>
          giveBack(
            this.db,
            wants.filter((w) => granted.has(w.bucket.key)),
          ),
        );
      }
      for (const charge of group) await this.takeAlone(charge.actor).then(charge.resolve, charge.reject);
    } catch (error) {
      for (const charge of group) charge.reject(error);
    }
  }

  private async takeAlone(actor: Actor): Promise<void> {
    for (const [name, bucket] of this.bucketsOf(actor)) {
      const refused = await againOnDeadlock(() => takeToken(this.db, bucket));
      if (!refused) continue;
      this.metrics?.writesRateLimited.inc({ bucket: name });
      throw new AppError(
        "RESOURCE_EXHAUSTED",
        "WRITE_RATE_LIMITED",
        `Too many writes: ${name === "agent" ? "an agent" : "a customer's agents together"} may make ${bucket.perMinute} a minute; retry in ${refused.reset_seconds} s.`,
        refused,
      );
    }
  }
}

type BucketName = "agent" | "customer";

interface Want {
  bucket: Bucket;
  tokens: number;
}

/** A write's charge not made yet (`WriteBudget.pending`): the writer folds it or takes it. */
export interface PendingCharge {
  readonly budget: WriteBudget;
  readonly actor: Actor;
}

/** A group's charge as a statement for a caller's round trip (`WriteBudget.folding`). */
export interface FoldedCharge {
  /** Undefined when the group cannot be granted at once: `settle(undefined)` then. */
  statement?: Statement;
  /** Whether the statement's rows say every bucket gave all the group wanted. */
  granted(rows: Record<string, unknown>[]): boolean;
  /** When not: what it took given back, and each write charged alone (one answer per actor, in order). */
  settle(rows: Record<string, unknown>[] | undefined): Promise<PromiseSettledResult<void>[]>;
}

interface Charge {
  actor: Actor;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** At most this many writes are charged by one statement. */
const MAX_GROUP = 500;

/** The bucket's tokens refilled by the time passed since `at` (SQL, the row aliased `b`). */
const refilledSql = (perMinute: string, rate: string) =>
  `least(${perMinute}, b.tokens + extract(epoch from (now() - b.at)) * ${rate})`;

/**
 * The statement that takes `tokens` from each bucket that has them all; its rows are the keys of
 * those that gave (`grantedKeys`).
 * Rows are locked in key order, so two replicas charging overlapping groups wait for each other
 * instead of deadlocking (the overload drill met "deadlock detected" as a 500 before).
 * A bucket seen for the first time starts full. The tokens wanted come in as the proposed row's
 * `tokens` (the capacity minus them), so the conflict's update reads them back; one upsert per
 * capacity (agents' and customers' buckets), as parts of one statement.
 */
function takingTokens(wants: Want[]): Statement {
  const byCapacity = new Map<number, { key: string; left: number }[]>();
  for (const { bucket, tokens } of wants)
    byCapacity.set(bucket.perMinute, [
      ...(byCapacity.get(bucket.perMinute) ?? []),
      { key: bucket.key, left: bucket.perMinute - tokens },
    ]);
  const parts = [...byCapacity.keys()].map((perMinute, i) => {
    const per = `${perMinute}::float8`;
    const refilled = refilledSql(per, `${perMinute / 60}::float8`);
    return `t${i} as (
      insert into ${RATE_BUCKETS_TABLE} as b (key, tokens, at)
      select key, "left", now() from jsonb_to_recordset(?::jsonb) as w(key text, "left" float8)
      order by key
      on conflict (key) do update set tokens = ${refilled} - (${per} - excluded.tokens), at = now()
        where ${refilled} >= ${per} - excluded.tokens
      returning b.key)`;
  });
  return {
    sql: `with ${parts.join(", ")} ${parts.map((_, i) => `select key from t${i}`).join(" union all ")}`,
    bindings: [...byCapacity.values()].map((rows) => JSON.stringify(rows)),
  };
}

/** The keys of the buckets that gave (`takingTokens`' rows). */
function grantedKeys(rows: Record<string, unknown>[]): Set<string> {
  return new Set(rows.map((row) => String(row.key)));
}

/** Gives back what `takingTokens` took (never above a bucket's capacity). */
async function giveBack(db: Db, wants: Want[]): Promise<void> {
  if (wants.length === 0) return;
  await db.raw(
    `update ${RATE_BUCKETS_TABLE} as b set tokens = least(w.per, b.tokens + w.tokens)
       from jsonb_to_recordset(?::jsonb) as w(key text, per float8, tokens float8)
      where b.key = w.key`,
    [JSON.stringify(wants.map(({ bucket, tokens }) => ({ key: bucket.key, per: bucket.perMinute, tokens })))],
  );
}

/** Refills by the time passed and takes a token; when the bucket has none, says when one comes. */
async function takeToken(db: Db, { key, perMinute }: Bucket): Promise<RateLimitState | undefined> {
  const rate = perMinute / 60;
  const refilled = refilledSql(`${perMinute}::float8`, `${rate}::float8`);
  const taken = await db.raw<{ rows: unknown[] }>(
    `insert into ${RATE_BUCKETS_TABLE} as b (key, tokens, at) values (?, ?, now())
     on conflict (key) do update set tokens = ${refilled} - 1, at = now() where ${refilled} >= 1
     returning b.tokens`,
    [key, perMinute - 1],
  );
  if (rowsOf(taken).length > 0) return undefined;
  const state = rowsOf<{ tokens: number }>(
    await db.raw(`select ${refilled} as tokens from ${RATE_BUCKETS_TABLE} b where key = ?`, [key]),
  );
  const tokens = Number(state[0]?.tokens ?? 0);
  return { limit: perMinute, remaining: 0, reset_seconds: Math.max(1, Math.ceil((1 - tokens) / rate)) };
}

/** How many times a statement PostgreSQL chose as a deadlock's victim is run before giving up. */
const DEADLOCK_ATTEMPTS = 5;

/**
 * Runs a bucket statement again when PostgreSQL aborted it as a deadlock's victim (40P01). Each
 * statement runs alone (not in a caller's transaction), and an aborted statement changed nothing,
 * so running it again takes or gives each token once. Rows are locked in key order where the
 * statement can say so; the give-back and the refill read cannot, and a deadlock between two
 * replicas must not become a 500 for a write that is within its budget.
 */
export async function againOnDeadlock<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await statement();
    } catch (error) {
      if ((error as { code?: unknown }).code !== "40P01" || attempt >= DEADLOCK_ATTEMPTS) throw error;
    }
  }
}

function rowsOf<Row>(result: unknown): Row[] {
  return ((result as { rows?: Row[] }).rows ?? []) as Row[];
}
