/**
 * The push service's environment (beyond `commonConfig`, which the host adds), validated at start
 * (see the README's configuration table). The embedded mode runs with these defaults.
 */
import { type Config, type ConfigSpec, commonConfig, corsConfig, tokenSecretConfig } from "@talk/kit";

export const pushConfig = {
  RPC_TIMEOUT_MS: commonConfig.RPC_TIMEOUT_MS,
  TRUST_PROXY: commonConfig.TRUST_PROXY,
  ...corsConfig,
  // The gateway's: push verifies the tokens it signs.
  ...tokenSecretConfig,
  PUSH_STREAM_MAX_AGE_SECONDS: {
    kind: "int",
    description: "how long the event stream keeps events for resuming clients (at least this long)",
    default: 86400,
    min: 60,
  },
  PUSH_STREAM_MAX_BYTES: {
    kind: "int",
    description: "size bound of the event stream in bytes (0: none); older events go first",
    default: 5_000_000_000,
    min: 0,
  },
  PUSH_STREAM_SEGMENT_BYTES: {
    kind: "int",
    description: "RabbitMQ segment size of the event stream: the granularity of its retention",
    default: 100_000_000,
    min: 4096,
  },
  WS_MAX_CONNECTIONS: {
    kind: "int",
    description: "WebSocket connections one replica accepts",
    default: 10000,
    min: 1,
  },
  WS_MAX_CONNECTIONS_PER_AGENT: {
    kind: "int",
    description: "WebSocket connections one agent may hold to one replica",
    default: 20,
    min: 1,
  },
  WS_MAX_CONNECTIONS_PER_ADDRESS: {
    kind: "int",
    description: "WebSocket connections from one client address to one replica (see TRUST_PROXY)",
    default: 1000,
    min: 1,
  },
  WS_MAX_FRAME_BYTES: {
    kind: "int",
    description: "largest frame a client may send",
    default: 16384,
    min: 256,
  },
  WS_MAX_TOPICS: { kind: "int", description: "topics one connection may subscribe to", default: 100, min: 1 },
  WS_MAX_FRAMES_PER_10S: {
    kind: "int",
    description: "frames a client may send per 10 seconds",
    default: 100,
    min: 1,
  },
  WS_SEND_BUFFER_BYTES: {
    kind: "int",
    description: "bytes queued for a slow client before it is disconnected (close code 1013)",
    default: 1_048_576,
    min: 1024,
  },
  WS_HEARTBEAT_SECONDS: {
    kind: "int",
    description: "seconds between pings; a client that did not answer the previous one is dropped",
    default: 30,
    min: 1,
  },
  WS_MAX_RESUMES: {
    kind: "int",
    description: "connections replaying missed events at once (others wait)",
    default: 32,
    min: 1,
  },
  PRESENCE_HEARTBEAT_MS: {
    kind: "int",
    description: "milliseconds between two presence heartbeats of a replica (its agents' snapshot)",
    default: 5000,
    min: 50,
  },
  PRESENCE_REPLICA_EXPIRY_MS: {
    kind: "int",
    description:
      "after this long without a report from a replica, its agents count as disconnected (a killed replica's agents go offline within it)",
    default: 30000,
    min: 100,
  },
} as const satisfies ConfigSpec;

export type PushConfig = Config<typeof pushConfig>;
