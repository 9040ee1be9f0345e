/** Options both bus implementations take. */
import type { Logger, Metrics } from "@talk/kit";

export interface CommonBusOptions {
  /** The service this bus belongs to: log field, AMQP connection name, event `appId`. */
  service: string;
  logger?: Logger;
  metrics?: Metrics;
  /** Default RPC timeout in milliseconds (default 5000). */
  rpcTimeoutMs?: number;
  /** Default prefetch of RPC consumers (default 32). Subscriptions have their own. */
  prefetch?: number;
  /** Pause before a failed event is put back on its queue, so a failing handler cannot spin (default 250 ms). */
  redeliveryDelayMs?: number;
  /** Validate handler results against the operation's response schema (default true): a result that
   * does not match (e.g. with a field the contract does not have) becomes an INTERNAL error. */
  validateResponses?: boolean;
}

export const DEFAULTS = {
  rpcTimeoutMs: 5000,
  prefetch: 32,
  subscriptionPrefetch: 32,
  redeliveryDelayMs: 250,
} as const;
