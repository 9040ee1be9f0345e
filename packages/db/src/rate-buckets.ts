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

/** An agent's and its customer's write budgets: each write takes a token from both, or is refused (429). */
export class WriteBudget {
  constructor(
    private readonly db: Knex,
    private readonly rates: WriteRates,
    private readonly metrics?: Metrics,
  ) {}

  async take(actor: Actor): Promise<void> {
    const buckets: [string, Bucket][] = [
      ["agent", { key: `agent:${actor.agent_id}`, perMinute: this.rates.perAgentPerMinute }],
      ["customer", { key: `customer:${actor.customer_id}`, perMinute: this.rates.perCustomerPerMinute }],
    ];
    for (const [name, bucket] of buckets) {
      const refused = await takeToken(this.db, bucket);
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

/** Refills by the time passed and takes a token; when the bucket has none, says when one comes. */
async function takeToken(db: Db, { key, perMinute }: Bucket): Promise<RateLimitState | undefined> {
  const rate = perMinute / 60;
  const refilled = `least(${perMinute}::float8, b.tokens + extract(epoch from (now() - b.at)) * ${rate}::float8)`;
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

function rowsOf<Row>(result: unknown): Row[] {
  return ((result as { rows?: Row[] }).rows ?? []) as Row[];
}
