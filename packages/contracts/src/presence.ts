/**
 * Presence and typing (docs/decisions/presence.md): ephemeral state that never becomes a message,
 * never takes a per-chat `seq` and never goes through the outbox-backed event stream. It travels
 * as *signals*: transient messages on the `talk.signals` topic exchange, fanned out to every
 * listener bound at the moment (each listener its own exclusive, auto-deleted queue), lost when
 * nobody listens. Heartbeats carrying full snapshots make the state converge again after a loss.
 *
 * - push replicas send `presence.connections` (deltas of agents' open WebSockets, batched),
 *   `presence.heartbeat` (the replica's full snapshot and how long to trust it) and
 *   `presence.activity` (an agent did something), and relay `agent_presence` and `typing`;
 * - the gateway sends `presence.activity` for API calls (at most once per agent per
 *   `ACTIVITY_REPORT_MS`);
 * - agent-manager owns presence: it applies all of that, expires replicas that fall silent, and
 *   announces every change as `agent_presence`; `presence.explicit` keeps its replicas in step
 *   and `presence.sync` asks the push replicas for a heartbeat at once (after it starts).
 */
import type { Presence, SetPresenceRequest } from "./generated/types";
import { timestamp, uuid } from "./schemas/common";

export type { Presence, SetPresenceRequest };

export const SIGNALS_EXCHANGE = "talk.signals";

export const PRESENCE_STATUSES = ["online", "away", "dnd", "offline"] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];

export const PRESENCE_LIMITS = {
  textLength: 100,
  /** Agents in one `GET /v1.0/agents/presence?ids=` request. */
  idsPerRequest: 100,
} as const;

/** Typing: at most one relayed `typing` frame per connection and chat per this long (more are dropped). */
export const TYPING_RELAY_INTERVAL_MS = 2000;
/** Typing: clients show an indicator this long unless it is renewed (or the typist's message arrives). */
export const TYPING_DISPLAY_MS = 5000;
/** Activity of one agent is reported to the presence owner at most once per this long (per reporter). */
export const ACTIVITY_REPORT_MS = 1000;

const status = { type: "string", enum: PRESENCE_STATUSES } as const;
const text = { type: "string", maxLength: PRESENCE_LIMITS.textLength } as const;

/** An agent's presence as the API and the WebSocket show it. */
export const presenceSchema = {
  $id: "Presence",
  type: "object",
  additionalProperties: false,
  required: ["agent_id", "status", "text", "tm_presence"],
  properties: {
    agent_id: uuid,
    status,
    text: {
      ...text,
      description: 'Free text set with the status (e.g. "back at 3"); empty unless set explicitly',
    },
    tm_presence: {
      anyOf: [timestamp, { type: "null" }],
      description:
        "When the status or text last changed; null when nothing is known since agent-manager started",
    },
  },
} as const;

/** `PUT /v1.0/agents/me/presence`: `online` returns to automatic presence (online/away by activity). */
export const setPresenceBody = {
  $id: "SetPresenceRequest",
  type: "object",
  additionalProperties: false,
  required: ["status"],
  properties: { status, text },
} as const;

/** One agent on one push replica: how many of its WebSockets are open there (a delta or a count). */
export interface AgentConnections {
  customer_id: string;
  agent_id: string;
  connections: number;
}

export interface SignalPayloads {
  "presence.connections": { replica: string; expires_in_ms: number; changes: AgentConnections[] };
  "presence.heartbeat": {
    replica: string;
    /** The replica counts as gone when nothing more comes from it for this long. */
    expires_in_ms: number;
    /** Every agent with an open WebSocket on the replica; empty with `final` when it stops. */
    agents: AgentConnections[];
    final?: boolean;
  };
  "presence.activity": { customer_id: string; agent_id: string };
  "presence.explicit": { customer_id: string; agent_id: string; status: PresenceStatus | null; text: string };
  "presence.sync": { owner: string };
  agent_presence: Presence & { customer_id: string };
  typing: { customer_id: string; chat_id: string; parent_id: string | null; agent_id: string };
}

export type SignalType = keyof SignalPayloads;

export type Signal<T extends SignalType = SignalType> = {
  [K in T]: { type: K; data: SignalPayloads[K] };
}[T];

const agentConnections = {
  type: "object",
  additionalProperties: false,
  required: ["customer_id", "agent_id", "connections"],
  properties: { customer_id: uuid, agent_id: uuid, connections: { type: "integer" } },
} as const;

const replica = { type: "string", minLength: 1, maxLength: 100 } as const;
const expiresIn = { type: "integer", minimum: 1 } as const;

const signalData = {
  "presence.connections": {
    type: "object",
    additionalProperties: false,
    required: ["replica", "expires_in_ms", "changes"],
    properties: { replica, expires_in_ms: expiresIn, changes: { type: "array", items: agentConnections } },
  },
  "presence.heartbeat": {
    type: "object",
    additionalProperties: false,
    required: ["replica", "expires_in_ms", "agents"],
    properties: {
      replica,
      expires_in_ms: expiresIn,
      agents: { type: "array", items: agentConnections },
      final: { type: "boolean" },
    },
  },
  "presence.activity": {
    type: "object",
    additionalProperties: false,
    required: ["customer_id", "agent_id"],
    properties: { customer_id: uuid, agent_id: uuid },
  },
  "presence.explicit": {
    type: "object",
    additionalProperties: false,
    required: ["customer_id", "agent_id", "status", "text"],
    properties: {
      customer_id: uuid,
      agent_id: uuid,
      status: { anyOf: [status, { type: "null" }] },
      text,
    },
  },
  "presence.sync": {
    type: "object",
    additionalProperties: false,
    required: ["owner"],
    properties: { owner: replica },
  },
  agent_presence: {
    type: "object",
    additionalProperties: false,
    required: ["customer_id", ...presenceSchema.required],
    properties: { customer_id: uuid, ...presenceSchema.properties },
  },
  typing: {
    type: "object",
    additionalProperties: false,
    required: ["customer_id", "chat_id", "parent_id", "agent_id"],
    properties: {
      customer_id: uuid,
      chat_id: uuid,
      parent_id: { anyOf: [uuid, { type: "null" }] },
      agent_id: uuid,
    },
  },
} as const;

export const SIGNAL_TYPES = Object.keys(signalData) as SignalType[];

export const signalSchema = {
  $id: "Signal",
  oneOf: SIGNAL_TYPES.map((type) => ({
    type: "object",
    additionalProperties: false,
    required: ["type", "data"],
    properties: { type: { const: type }, data: signalData[type] },
  })),
} as const;

/**
 * Routing key of a signal on `talk.signals`: `<type>` for the replicas' reports to the owner,
 * `<type>.<customer_id>` for presence changes and `typing.<customer_id>.<chat_id>` for typing.
 */
export function signalKey(signal: Signal): string {
  switch (signal.type) {
    case "agent_presence":
      return `agent_presence.${signal.data.customer_id}`;
    case "typing":
      return `typing.${signal.data.customer_id}.${signal.data.chat_id}`;
    default:
      return signal.type;
  }
}
