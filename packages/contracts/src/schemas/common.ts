import { TIMESTAMP_PATTERN } from "../time";

/** Lowercase UUIDs only: the API's IDs are canonical (anything else is a 400). The one definition. */
export const UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
export const UUID_RE = new RegExp(UUID_PATTERN);

export const uuid = { type: "string", pattern: UUID_PATTERN } as const;

export const timestamp = { type: "string", pattern: TIMESTAMP_PATTERN } as const;

/**
 * The W3C trace context of the change that made a message (https://www.w3.org/TR/trace-context/),
 * when tracing is on: consumers continue its trace (docs/operations.md#tracing).
 */
export const traceContextFields = {
  traceparent: {
    type: "string",
    pattern: "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
    description: "W3C traceparent of the span that published the message",
  },
  tracestate: { type: "string", maxLength: 512, description: "W3C tracestate, with traceparent" },
} as const;

/** The caller of an operation, established by the gateway from a verified token. */
export const actor = {
  type: "object",
  additionalProperties: false,
  required: ["customer_id", "agent_id"],
  properties: { customer_id: uuid, agent_id: uuid, permission: { type: "string", enum: ["agent", "admin"] } },
} as const;

export const MAX_PAGE_SIZE = 100;

/** Page request: the gateway clamps `page_size` to 1..100; `page_token` is a tm_create (exclusive). */
export const pageRequest = {
  page_size: { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE },
  page_token: { type: "string", anyOf: [{ const: "" }, timestamp] },
} as const;

export function pageOf<const S extends object>(item: S) {
  return {
    type: "object",
    additionalProperties: false,
    required: ["result", "next_page_token"],
    properties: { result: { type: "array", items: item }, next_page_token: { type: "string" } },
  } as const;
}

export const LIMITS = {
  nameLength: 255,
  detailLength: 4096,
  usernameLength: 255,
  passwordLength: 1024,
  textLength: 16384,
  mediasPerMessage: 20,
  participantsAtCreation: 500,
  emojiLength: 64,
  distinctReactionsPerMessage: 50,
  /** Pinned messages a chat holds at most (Slack's bound). */
  pinsPerChat: 100,
  /** Length of a search query. */
  searchQueryLength: 256,
  bodyBytes: 256 * 1024,
  /** How deeply a request body may nest (the API's own bodies nest at most 4 levels). */
  jsonDepth: 32,
} as const;
