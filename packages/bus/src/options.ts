/** Options both bus implementations take. */
import { type Logger, type Metrics, commonConfig } from "@talk/kit";

export interface CommonBusOptions {
  /** The service this bus belongs to: log field, AMQP connection name, event `appId`. */
  service: string;
  logger?: Logger;
  metrics?: Metrics;
  /** Default RPC timeout in milliseconds (default 5000). */
  rpcTimeoutMs?: number;
  /** Default prefetch of RPC consumers (default 32). Subscriptions have their own. */
  prefetch?: number;
  /** Pause before a failed event is put back on its queue, so a failing handler cannot spin (default
   * 250 ms); it doubles with every further failure of the same event, up to `maxRedeliveryDelayMs`. */
  redeliveryDelayMs?: number;
  /** Longest pause between two attempts at one event (default 30 s). */
  maxRedeliveryDelayMs?: number;
  /** Attempts an event gets before it moves to its queue's dead-letter queue (default 10, about
   * 1.5 minutes of retries with the default pauses). A subscription can set its own. */
  maxDeliveries?: number;
  /** Validate handler results against the operation's response schema (default true): a result that
   * does not match (e.g. with a field the contract does not have) becomes an INTERNAL error. */
  validateResponses?: boolean;
}

/** The retry budget of a bus's subscriptions (see `RetryBudget`). */
export function retryOptions(options: Partial<CommonBusOptions>) {
  return {
    maxDeliveries: options.maxDeliveries ?? DEFAULTS.maxDeliveries,
    baseDelayMs: options.redeliveryDelayMs ?? DEFAULTS.redeliveryDelayMs,
    maxDelayMs: options.maxRedeliveryDelayMs ?? DEFAULTS.maxRedeliveryDelayMs,
  };
}

export type RetryOptions = ReturnType<typeof retryOptions>;

export const DEFAULTS = {
  rpcTimeoutMs: commonConfig.RPC_TIMEOUT_MS.default,
  prefetch: 32,
  subscriptionPrefetch: 32,
  redeliveryDelayMs: 250,
  maxRedeliveryDelayMs: 30_000,
  maxDeliveries: commonConfig.EVENT_MAX_DELIVERIES.default,
} as const;
