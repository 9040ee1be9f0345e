/** What the push service runs with: from its configuration (the environment, or its defaults when embedded). */
import type { TokenSecret } from "@talk/auth";
import { type TrustProxy, parseTrustProxy, tokenSecretOf } from "@talk/kit";
import type { PushConfig } from "./config";

export interface PushSettings {
  /** Verifies access tokens: the gateway's secret. */
  jwtSecret: TokenSecret;
  /** Browser origins allowed to open the WebSocket besides the service's own (`*`: any). */
  allowedOrigins: readonly string[];
  stream: { maxAgeSeconds: number; maxBytes: number; segmentBytes: number };
  maxConnections: number;
  maxConnectionsPerAgent: number;
  maxConnectionsPerAddress: number;
  /** Proxies trusted to name the client's address (X-Forwarded-For), as the gateway's. */
  trustProxy: TrustProxy;
  maxFrameBytes: number;
  maxTopics: number;
  maxFramesPer10s: number;
  sendBufferBytes: number;
  heartbeatMs: number;
  maxResumes: number;
  /** How long (by the stream's timestamps) a chat's events wait for a missing one before it is given up. */
  gapToleranceMs: number;
  /** How long a cursor from a replica that is ahead of this one may wait for this one to catch up. */
  aheadWaitMs: number;
  rpcTimeoutMs: number;
  /** Presence reports of this replica (docs/decisions/presence.md). */
  presence: { heartbeatMs: number; expiryMs: number };
}

/** The stream of the embedded mode lives in memory: 24 hours, but at most 64 MB. */
export const IN_MEMORY_STREAM: PushSettings["stream"] = {
  maxAgeSeconds: 86400,
  maxBytes: 64 * 1024 * 1024,
  segmentBytes: 1024 * 1024,
};

export function pushSettings(config: PushConfig): PushSettings {
  return {
    jwtSecret: tokenSecretOf(config),
    allowedOrigins: config.CORS_ALLOWED_ORIGINS,
    stream: {
      maxAgeSeconds: config.PUSH_STREAM_MAX_AGE_SECONDS,
      maxBytes: config.PUSH_STREAM_MAX_BYTES,
      segmentBytes: config.PUSH_STREAM_SEGMENT_BYTES,
    },
    maxConnections: config.WS_MAX_CONNECTIONS,
    maxConnectionsPerAgent: config.WS_MAX_CONNECTIONS_PER_AGENT,
    maxConnectionsPerAddress: config.WS_MAX_CONNECTIONS_PER_ADDRESS,
    trustProxy: parseTrustProxy(config.TRUST_PROXY),
    maxFrameBytes: config.WS_MAX_FRAME_BYTES,
    maxTopics: config.WS_MAX_TOPICS,
    maxFramesPer10s: config.WS_MAX_FRAMES_PER_10S,
    sendBufferBytes: config.WS_SEND_BUFFER_BYTES,
    heartbeatMs: config.WS_HEARTBEAT_SECONDS * 1000,
    maxResumes: config.WS_MAX_RESUMES,
    gapToleranceMs: 10_000,
    aheadWaitMs: 5000,
    rpcTimeoutMs: config.RPC_TIMEOUT_MS,
    presence: { heartbeatMs: config.PRESENCE_HEARTBEAT_MS, expiryMs: config.PRESENCE_REPLICA_EXPIRY_MS },
  };
}
