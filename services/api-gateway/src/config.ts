/** The gateway's environment (beyond `commonConfig`, which the host adds) and what it runs with. */
import type { TokenSecret } from "@talk/auth";
import {
  type Config,
  type ConfigSpec,
  commonConfig,
  corsConfig,
  tokenSecretConfig,
  tokenSecretOf,
} from "@talk/kit";

export const gatewayConfig = {
  ...corsConfig,
  ...tokenSecretConfig,
  // the host's (commonConfig), read here too: a send gathered with others keeps its own deadline
  RPC_TIMEOUT_MS: commonConfig.RPC_TIMEOUT_MS,
  TOKEN_TTL_SECONDS: { kind: "int", description: "lifetime of an access token", default: 86400, min: 60 },
  BODY_LIMIT_BYTES: { kind: "int", description: "largest accepted request body", default: 262144, min: 1024 },
  MAX_REQUESTS_IN_FLIGHT: {
    kind: "int",
    description:
      "API requests one gateway replica serves at once at most; the next is refused at once with 503 OVERLOADED and Retry-After: 1",
    default: 128,
    min: 1,
  },
  OVERLOAD_LATENCY_TOLERANCE_PERCENT: {
    kind: "int",
    description:
      "while the mean latency of the API requests of a 100 ms window exceeds this share of their long-run (about a minute) mean, requests are queueing behind the gateway: the replica admits fewer at once (a gradient limit, down to an eighth of MAX_REQUESTS_IN_FLIGHT; back up while the latency holds) and refuses the rest with 503 OVERLOADED; 0 keeps the limit fixed",
    default: 150,
    min: 0,
  },
  OVERLOAD_EVENT_LOOP_LAG_MS: {
    kind: "int",
    description:
      "while the replica's event loop runs this late, it refuses new API requests with 503 OVERLOADED (its own CPU is the bottleneck); 0: never",
    default: 200,
    min: 0,
  },
  OVERLOAD_EVENT_LOOP_BUSY_PERCENT: {
    kind: "int",
    description:
      "the event-loop rule refuses only while the late loop was also busy running code at least this share of the last 100 ms (the gateway's own work is the bottleneck, not other processes holding the machine's cores); 0: lateness alone",
    default: 90,
    min: 0,
    max: 100,
  },
  SEND_CALLS_IN_FLIGHT: {
    kind: "int",
    description:
      "message-manager calls for sends one gateway replica has in flight before it gathers the next sends and sends them together in one call (message.createMany; a send waits gathered 50 ms at most); 0: every send its own call at once",
    default: 1,
    min: 0,
  },
  LOGIN_RATE_PER_MINUTE: {
    kind: "int",
    description: "login attempts allowed per client address and minute",
    default: 30,
    min: 1,
  },
  FILE_MANAGER_URLS: {
    kind: "string",
    description: "file-manager's HTTP address(es), comma-separated: uploads and downloads stream there",
    default: "http://file-manager:8080",
  },
} as const satisfies ConfigSpec;

export type GatewayConfig = Config<typeof gatewayConfig>;

export interface GatewaySettings {
  /** Signs and verifies access tokens (the current and, during a rotation, the previous secret). */
  jwtSecret: TokenSecret;
  tokenTtlSeconds: number;
  bodyLimitBytes: number;
  loginRatePerMinute: number;
  /** API requests served at once, at most, before the next is refused (503 OVERLOADED). */
  maxRequestsInFlight: number;
  /** A window's latency beyond this share (%) of the long-run latency shrinks the admitted concurrency; 0: fixed. */
  overloadLatencyTolerancePercent: number;
  /** Refuse new requests while the event loop runs this late (ms); 0: never. */
  overloadEventLoopLagMs: number;
  /** …and was busy running code at least this share (%) of the time; 0: lateness alone (default 90). */
  overloadEventLoopBusyPercent?: number;
  /** Browser origins allowed to call the API from another origin (`*`: any, without credentials). */
  allowedOrigins: readonly string[];
  /** file-manager's byte path (one address behind a load balancer, or each replica's). */
  fileManagerUrls: string[];
  /** How long an RPC call waits for its reply (the bus's): a gathered send's deadline. */
  rpcTimeoutMs?: number;
  /** Send calls in flight before sends are gathered into one (0: never gathered). */
  sendCallsInFlight?: number;
}

export function gatewaySettings(config: GatewayConfig): GatewaySettings {
  return {
    jwtSecret: tokenSecretOf(config),
    tokenTtlSeconds: config.TOKEN_TTL_SECONDS,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    loginRatePerMinute: config.LOGIN_RATE_PER_MINUTE,
    maxRequestsInFlight: config.MAX_REQUESTS_IN_FLIGHT,
    overloadLatencyTolerancePercent: config.OVERLOAD_LATENCY_TOLERANCE_PERCENT,
    overloadEventLoopLagMs: config.OVERLOAD_EVENT_LOOP_LAG_MS,
    overloadEventLoopBusyPercent: config.OVERLOAD_EVENT_LOOP_BUSY_PERCENT,
    allowedOrigins: config.CORS_ALLOWED_ORIGINS,
    fileManagerUrls: urlList(config.FILE_MANAGER_URLS),
    rpcTimeoutMs: config.RPC_TIMEOUT_MS,
    sendCallsInFlight: config.SEND_CALLS_IN_FLIGHT,
  };
}

export function urlList(value: string): string[] {
  const urls = value
    .split(",")
    .map((url) => url.trim())
    .filter(Boolean);
  for (const url of urls) new URL(url); // throws on a malformed address at start
  return urls;
}
