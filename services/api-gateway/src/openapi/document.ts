/**
 * The OpenAPI 3.1 document of the public API, built from the contracts: the route table
 * (operationIds, tags, errors per operation) and the JSON Schemas the gateway validates with.
 * Requests stay strict (`additionalProperties: false`); responses are open, so a validating client
 * survives fields added later.
 */
import {
  API_ROUTES,
  type ApiOperation,
  type ApiRoute,
  ERROR_HTTP_STATUS,
  ERROR_REASONS,
  type ErrorStatus,
  LIMITS,
  MAX_PAGE_SIZE,
  TIMESTAMP_PATTERN,
  addParticipantBody,
  agentSchema,
  chatSchema,
  createAgentBody,
  createChatBody,
  createMessageBody,
  loginBody,
  loginResponse,
  fileSchema,
  messageSchema,
  messageVersionSchema,
  participantSchema,
  searchHitSchema,
  searchMessagesQuery,
  editMessageBody,
  pathParameters,
  PRESENCE_LIMITS,
  presenceSchema,
  setPresenceBody,
  postedMediaSchema,
  reactionBody,
  markReadBody,
  chatReadSchema,
  updateChatBody,
  uuid,
  withoutIds,
} from "@talk/contracts";
import { EXAMPLES, errorExample } from "./examples";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object, example?: unknown) => ({
  "application/json": { schema, ...(example !== undefined ? { example } : {}) },
});

/** A response schema open to added fields: every `additionalProperties: false` removed, at any depth. */
function open<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(open) as T;
  if (typeof schema !== "object" || schema === null) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema))
    if (key !== "$id" && !(key === "additionalProperties" && value === false)) copy[key] = open(value);
  return copy as T;
}

const pageOf = (item: string) => ({
  type: "object",
  required: ["result", "next_page_token"],
  properties: {
    result: { type: "array", items: ref(item) },
    next_page_token: {
      type: "string",
      description: 'Pass as page_token for the next page; "" on the last page',
    },
  },
});

const header = (description: string, schema: object) => ({ description, schema });
const HEADERS = {
  "X-Request-Id": header("The request's id: the one sent, when sane, else a new one", { type: "string" }),
  "Retry-After": header("Seconds to wait before trying again", { type: "integer", minimum: 0 }),
  RateLimit: header("The login limit's state (IETF draft 7), e.g. limit=10, remaining=9, reset=60", {
    type: "string",
  }),
  "RateLimit-Policy": header("The login limit's policy (IETF draft 7), e.g. 10;w=60", { type: "string" }),
  ETag: header("The bytes' SHA-256, quoted: send it as If-None-Match to get a 304", { type: "string" }),
  "Content-Disposition": header("attachment, with the file's name (filename and filename*)", {
    type: "string",
  }),
  "Content-Range": header("Where the part is: bytes 0-1023/48213", { type: "string" }),
  "Accept-Ranges": header("bytes: a Range may be asked for", { type: "string" }),
};
const headerRef = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

const ERRORS: Record<ErrorStatus, { description: string; example: object }> = {
  INVALID_ARGUMENT: {
    description: "Invalid input; the message names the field",
    example: errorExample(
      "INVALID_ARGUMENT",
      "INVALID_ARGUMENT",
      "body.type must be one of: direct, group, talk",
    ),
  },
  UNAUTHENTICATED: {
    description: "Missing, invalid or expired token (on login: wrong username or password)",
    example: errorExample("UNAUTHENTICATED", "TOKEN_EXPIRED", "The token has expired; log in again."),
  },
  PERMISSION_DENIED: {
    description: "Not allowed: not a participant, not the author, not an admin",
    example: errorExample(
      "PERMISSION_DENIED",
      "NOT_A_PARTICIPANT",
      "You are not a participant of chat e8b2e976-f043-44c8-bb89-e214e225e813.",
    ),
  },
  NOT_FOUND: {
    description: "Not found (also another customer's resource, and a deleted chat)",
    example: errorExample(
      "NOT_FOUND",
      "CHAT_NOT_FOUND",
      "No chat e8b2e976-f043-44c8-bb89-e214e225e813 exists.",
    ),
  },
  CONFLICT: {
    description: "The Idempotency-Key was used with another request (or the username is taken)",
    example: errorExample(
      "CONFLICT",
      "IDEMPOTENCY_KEY_REUSED",
      "This Idempotency-Key was already used for a different request.",
    ),
  },
  PAYLOAD_TOO_LARGE: {
    description: `The body is over the limit (${LIMITS.bodyBytes / 1024} KiB by default)`,
    example: errorExample(
      "PAYLOAD_TOO_LARGE",
      "BODY_TOO_LARGE",
      "The request body is larger than the limit.",
    ),
  },
  RESOURCE_EXHAUSTED: {
    description:
      "Too many logins from this client (TOO_MANY_LOGINS), or too many passwords being checked at once (LOGIN_BUSY): wait Retry-After seconds",
    example: errorExample(
      "RESOURCE_EXHAUSTED",
      "TOO_MANY_LOGINS",
      "Too many login attempts; wait a minute and try again.",
    ),
  },
  INTERNAL: {
    description: "Something went wrong on our side; the request id helps find it",
    example: errorExample(
      "INTERNAL",
      "INTERNAL",
      "Something went wrong on our side; the request id helps us find it.",
    ),
  },
  RANGE_NOT_SATISFIABLE: {
    description: "The Range asked for is outside the file (Content-Range: bytes */size)",
    example: errorExample(
      "RANGE_NOT_SATISFIABLE",
      "RANGE_NOT_SATISFIABLE",
      'The range "bytes=900-" is outside the file\'s 512 bytes.',
    ),
  },
  UNAVAILABLE: {
    description:
      "A backing service did not answer in time, or the gateway is at its limit of requests in flight (OVERLOADED, with Retry-After); retry with the same Idempotency-Key",
    example: errorExample("UNAVAILABLE", "RPC_TIMEOUT", "The chat service did not answer within 5000 ms."),
  },
};

function errorResponse(status: ErrorStatus) {
  const { description, example } = ERRORS[status];
  const headers: Record<string, object> = { "X-Request-Id": headerRef("X-Request-Id") };
  if (status === "RESOURCE_EXHAUSTED" || status === "UNAVAILABLE")
    headers["Retry-After"] = headerRef("Retry-After");
  return { description, headers, content: json(ref("Error"), example) };
}

/** Parameters written out in each operation (inlined, not referenced, so every reader sees them). */
const PARAMETERS = {
  RequestId: {
    name: "X-Request-Id",
    in: "header",
    description: "Your id for this request, echoed in the response and in errors (else one is made)",
    schema: { type: "string", pattern: "^[\\w.:-]{1,128}$" },
  },
  IdempotencyKey: {
    name: "Idempotency-Key",
    in: "header",
    description:
      "Makes a retry take effect once (24 h, per agent); the same key with another request is a 409",
    schema: { type: "string", pattern: "^[\\x21-\\x7e]{1,255}$" },
  },
  PageSize: {
    name: "page_size",
    in: "query",
    description: `At most ${MAX_PAGE_SIZE}; larger values are clamped`,
    schema: { type: "integer", minimum: 1, default: MAX_PAGE_SIZE },
  },
  PageToken: {
    name: "page_token",
    in: "query",
    description: "next_page_token of the previous page",
    schema: { type: "string", pattern: TIMESTAMP_PATTERN },
  },
  ChatId: {
    name: "chat_id",
    in: "query",
    description:
      "The chat; without it, the newest messages of all my chats (or, with mentions=me, those mentioning me)",
    schema: uuid,
  },
  Mentions: {
    name: "mentions",
    in: "query",
    description: "me: only the messages that mention me (across my chats, or in chat_id), newest first",
    schema: { type: "string", enum: ["me"] },
  },
  MessagesPageToken: {
    name: "page_token",
    in: "query",
    description:
      "next_page_token of the previous page (a time for one chat's list; a time and an id across chats or with mentions=me)",
    schema: { type: "string", maxLength: 128 },
  },
  SearchQuery: {
    name: "q",
    in: "query",
    required: true,
    description: 'Words to find (web search syntax: "a phrase", or, -word)',
    schema: searchMessagesQuery.q,
  },
  SearchChat: { name: "chat_id", in: "query", description: "Only this chat", schema: uuid },
  SearchOwner: { name: "owner_id", in: "query", description: "Only this agent's messages", schema: uuid },
  SearchChannels: {
    name: "channels",
    in: "query",
    description: "all: the customer's public channels too, besides my chats",
    schema: searchMessagesQuery.channels,
  },
  SearchOrder: {
    name: "order",
    in: "query",
    description: "newest (the default) or relevance",
    schema: searchMessagesQuery.order,
  },
  SearchPageToken: {
    name: "page_token",
    in: "query",
    description: "next_page_token of the previous page",
    schema: { type: "string", maxLength: 128 },
  },
  ParentId: {
    name: "parent_id",
    in: "query",
    description: "Only the replies to this message (one thread)",
    schema: uuid,
  },
  FileName: {
    name: "name",
    in: "query",
    description: "The file's name (raw uploads; multipart takes the part's filename)",
    schema: { type: "string", maxLength: 255 },
  },
  Range: {
    name: "Range",
    in: "header",
    description: "One range: bytes=0-1023, bytes=1024- or bytes=-500",
    schema: { type: "string", pattern: "^bytes=\\d*-\\d*$" },
  },
  IfNoneMatch: {
    name: "If-None-Match",
    in: "header",
    description: "The ETag you have: 304 when it still matches",
    schema: { type: "string" },
  },
  Ids: {
    name: "ids",
    in: "query",
    required: true,
    description: `Agent ids, comma-separated (at most ${PRESENCE_LIMITS.idsPerRequest})`,
    schema: { type: "string" },
  },
};

const param = (name: keyof typeof PARAMETERS) => PARAMETERS[name];
const ownerOf: Record<ApiRoute["tag"], string> = {
  auth: "",
  agents: "agent",
  chats: "chat",
  participants: "chat",
  channels: "chat",
  messages: "message",
  files: "file",
};

function parametersOf(route: ApiRoute): object[] {
  const path = pathParameters(route.path).map((name) => ({
    name,
    in: "path",
    required: true,
    description: name === "id" ? `The ${ownerOf[route.tag]}'s id` : `The ${name.replace("_id", "")}'s id`,
    schema: uuid,
  }));
  const query =
    route.query === "messages"
      ? [param("ChatId"), param("ParentId"), param("Mentions"), param("PageSize"), param("MessagesPageToken")]
      : route.query === "page"
        ? [param("PageSize"), param("PageToken")]
        : route.query === "ids"
          ? [param("Ids")]
          : route.query === "search"
            ? [
                param("SearchQuery"),
                param("SearchChat"),
                param("SearchOwner"),
                param("SearchChannels"),
                param("SearchOrder"),
                param("PageSize"),
                param("SearchPageToken"),
              ]
            : route.query === "name"
              ? [param("FileName")]
              : [];
  const headers = route.bytes === "download" ? [param("Range"), param("IfNoneMatch")] : [];
  return [
    ...path,
    ...query,
    ...headers,
    ...(route.idempotent ? [param("IdempotencyKey")] : []),
    param("RequestId"),
  ];
}

const binary = { type: "string", format: "binary" } as const;

/** The request body: a JSON component, or bytes (raw, or multipart with a part named file). */
function requestBodyOf(route: ApiRoute, example: object | undefined) {
  if (route.bytes === "upload")
    return {
      requestBody: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: { type: "object", required: ["file"], properties: { file: binary } },
          },
          "application/octet-stream": { schema: binary },
        },
      },
    };
  return route.body ? { requestBody: { required: true, content: json(ref(route.body), example) } } : {};
}

/** The success answers: a JSON component (in a page or an array), or the bytes with their headers. */
function successOf(route: ApiRoute, example: unknown, okHeaders: Record<string, object>) {
  if (route.bytes === "download") {
    const bytes = { "application/octet-stream": { schema: binary } };
    const common = {
      ...okHeaders,
      ETag: headerRef("ETag"),
      "Content-Disposition": headerRef("Content-Disposition"),
      "Accept-Ranges": headerRef("Accept-Ranges"),
    };
    return {
      "200": {
        description: "The bytes, with their Content-Type and Content-Length",
        headers: common,
        content: bytes,
      },
      "206": {
        description: "The range asked for",
        headers: { ...common, "Content-Range": headerRef("Content-Range") },
        content: bytes,
      },
      "304": { description: "Not modified: If-None-Match matched the ETag", headers: okHeaders },
    };
  }
  if (route.response === undefined) throw new Error(`route ${route.path} answers neither JSON nor bytes`);
  const response =
    route.list === "page"
      ? ref(`${route.response}Page`)
      : route.list === "array"
        ? { type: "array", items: ref(route.response) }
        : ref(route.response);
  return { "200": { description: "OK", headers: okHeaders, content: json(response, example) } };
}

function operation(operationId: ApiOperation, route: ApiRoute) {
  const example = EXAMPLES[operationId];
  const okHeaders: Record<string, object> = { "X-Request-Id": headerRef("X-Request-Id") };
  const limited = route.rateLimited === true;
  if (limited)
    Object.assign(okHeaders, {
      RateLimit: headerRef("RateLimit"),
      "RateLimit-Policy": headerRef("RateLimit-Policy"),
    });
  const errors = Object.fromEntries(
    [...route.errors, "INTERNAL" as const].map((status) => {
      const response = errorResponse(status);
      if (limited)
        Object.assign(response.headers, {
          RateLimit: headerRef("RateLimit"),
          "RateLimit-Policy": headerRef("RateLimit-Policy"),
        });
      return [String(ERROR_HTTP_STATUS[status]), response];
    }),
  );
  return {
    operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    parameters: parametersOf(route),
    ...requestBodyOf(route, example.request),
    ...(route.public ? { security: [] } : {}),
    responses: { ...successOf(route, example.response, okHeaders), ...errors },
  };
}

/**
 * The posted media's alternatives as named schemas: OpenAPI's discriminator selects named schemas
 * only (the contract's inline alternatives are what ajv needs to name the failing field).
 */
function postedMediaSchemas() {
  const { discriminator, oneOf, ...rest } = withoutIds(postedMediaSchema);
  const nameOf = (type: string) => `Posted${type[0].toUpperCase()}${type.slice(1)}Media`;
  const variants = oneOf.map((variant) => [nameOf(variant.properties.type.const), variant] as const);
  return {
    PostedMedia: {
      ...rest,
      oneOf: variants.map(([name]) => ref(name)),
      discriminator: {
        ...discriminator,
        mapping: Object.fromEntries(
          oneOf.map((variant) => [
            variant.properties.type.const,
            `#/components/schemas/${nameOf(variant.properties.type.const)}`,
          ]),
        ),
      },
    },
    ...Object.fromEntries(variants),
  };
}

/** A request with posted medias: each names the PostedMedia schema, so its discriminator can select. */
const withPostedMedias = (body: typeof createMessageBody | typeof editMessageBody) => {
  const schema = withoutIds(body);
  const { medias } = schema.properties;
  return {
    ...schema,
    properties: { ...schema.properties, medias: { ...medias, items: ref("PostedMedia") } },
  };
};

function paths() {
  const result: Record<string, Record<string, object>> = {};
  for (const [operationId, route] of Object.entries(API_ROUTES) as [ApiOperation, ApiRoute][])
    (result[route.path] ??= {})[route.method.toLowerCase()] = operation(operationId, route);
  return result;
}

export function openApiDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "Talk API",
      version: "1.0",
      description: [
        "Real-time chat for contact-center agents. Every success is 200 with the resource; errors carry",
        '{"error":{"status","reason","message","request_id"}} where `reason` is one of a fixed vocabulary.',
        "Writes take an Idempotency-Key. Events arrive over the WebSocket (see asyncapi-websocket.json).",
      ].join(" "),
    },
    servers: [{ url: "/v1.0", description: "This server" }],
    security: [{ bearer: [] }, { token: [] }],
    tags: [
      { name: "auth", description: "Access tokens" },
      { name: "agents", description: "The agents of my customer" },
      { name: "chats", description: "Direct chats, private groups and public channels I am in" },
      { name: "participants", description: "Who is in a chat" },
      { name: "channels", description: "My customer's public channels, joined or not" },
      { name: "messages", description: "Messages, threads and reactions" },
      { name: "files", description: "Uploaded files: bytes streamed up and down, attached to messages" },
    ],
    paths: paths(),
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        token: { type: "apiKey", in: "query", name: "token" },
      },
      headers: HEADERS,
      schemas: {
        Agent: open(agentSchema),
        Presence: open(presenceSchema),
        SetPresenceRequest: withoutIds(setPresenceBody),
        AgentPage: pageOf("Agent"),
        Chat: open(chatSchema),
        ChatPage: pageOf("Chat"),
        Participant: open(participantSchema),
        ChatRead: open(chatReadSchema),
        MarkReadRequest: withoutIds(markReadBody),
        Message: open(messageSchema),
        MessagePage: pageOf("Message"),
        File: open(fileSchema),
        MessageVersion: open(messageVersionSchema),
        MessageVersionPage: pageOf("MessageVersion"),
        SearchHit: {
          ...open(searchHitSchema),
          properties: { ...searchHitSchema.properties, message: ref("Message") },
        },
        SearchHitPage: pageOf("SearchHit"),
        LoginResponse: open(loginResponse),
        LoginRequest: withoutIds(loginBody),
        CreateAgentRequest: withoutIds(createAgentBody),
        CreateChatRequest: withoutIds(createChatBody),
        UpdateChatRequest: withoutIds(updateChatBody),
        AddParticipantRequest: withoutIds(addParticipantBody),
        CreateMessageRequest: withPostedMedias(createMessageBody),
        ...postedMediaSchemas(),
        ReactionRequest: withoutIds(reactionBody),
        EditMessageRequest: withPostedMedias(editMessageBody),
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["status", "reason", "message", "request_id"],
              properties: {
                status: { type: "string", enum: Object.keys(ERROR_HTTP_STATUS) },
                reason: {
                  type: "string",
                  enum: ERROR_REASONS,
                  description: "Stable and machine-readable; clients branch on it. New reasons may be added.",
                },
                message: { type: "string", description: "A sentence a person understands" },
                request_id: { type: "string" },
              },
            },
          },
        },
      },
    },
  };
}
