/**
 * Generates packages/contracts/src/generated/types.ts, the TypeScript types of the contracts, from
 * their JSON Schemas with json-schema-to-typescript (see docs/decisions/contract-types.md). Each
 * named schema becomes one declaration; where it appears inside another it is referred to by name.
 * Run by `pnpm docs:api`; a test fails when the committed file is not what this produces.
 */
import { join } from "node:path";
import { compile } from "json-schema-to-typescript";
import {
  EVENT_TYPES,
  actor,
  addParticipantBody,
  agentSchema,
  chatChangeSchema,
  chatReadSchema,
  chatSchema,
  chatSummarySchema,
  clientFrameSchema,
  createAgentBody,
  createChatBody,
  createMessageBody,
  customerSchema,
  editMessageBody,
  envelopeSchema,
  eventPayloads,
  fileSchema,
  idempotencySchema,
  loginBody,
  loginResponse,
  markReadBody,
  mediaSchema,
  messageSchema,
  messageVersionSchema,
  pageRequest,
  participantRef,
  participantSchema,
  activityFrameSchema,
  pingFrameSchema,
  presenceFrameSchema,
  presenceSchema,
  reactionBody,
  reactionSchema,
  readReceiptSchema,
  rpcOperations,
  searchHitSchema,
  serverFrameSchema,
  setPresenceBody,
  typingClientFrameSchema,
  typingFrameSchema,
  updateChatBody,
} from "@talk/contracts";

const [subscribed, unsubscribed, errorFrame, resyncRequired, , pong] = serverFrameSchema.oneOf;
const { type: _type, data: _data, ...envelopeHeader } = envelopeSchema.properties;
const {
  type: _changeType,
  data: _changeData,
  agent_name: _agentName,
  ...chatChangeHeader
} = chatChangeSchema.properties;

/** Every named type, in the order of the file: its name and its schema. */
const NAMED: [string, object][] = [
  ["Actor", actor],
  ["Customer", customerSchema],
  ["Agent", agentSchema],
  ["Chat", chatSchema],
  ["Participant", participantSchema],
  ["Media", mediaSchema],
  ["Reaction", reactionSchema],
  ["Message", messageSchema],
  ["FileInfo", fileSchema],
  ["MessageVersion", messageVersionSchema],
  ["SearchHit", searchHitSchema],
  ["ChatRead", chatReadSchema],
  ["ChatSummary", chatSummarySchema],
  ["ReadReceipt", readReceiptSchema],
  ["PageRequest", { type: "object", additionalProperties: false, properties: pageRequest }],
  ["ParticipantRef", participantRef],
  ["LoginRequest", loginBody],
  ["LoginResponse", loginResponse],
  ["CreateAgentRequest", createAgentBody],
  ["CreateChatRequest", createChatBody],
  ["UpdateChatRequest", updateChatBody],
  ["CreateMessageRequest", createMessageBody],
  ["EditMessageRequest", editMessageBody],
  ["ReactionRequest", reactionBody],
  ["MarkReadRequest", markReadBody],
  ["Idempotency", idempotencySchema],
  [
    "EventEnvelopeHeader",
    {
      ...envelopeSchema,
      required: envelopeSchema.required.filter((k) => k !== "type" && k !== "data"),
      properties: envelopeHeader,
    },
  ],
  [
    "ChatChangeHeader",
    {
      ...chatChangeSchema,
      required: chatChangeSchema.required.filter((k) => k !== "type" && k !== "data"),
      properties: chatChangeHeader,
    },
  ],
  ["ClientFrame", clientFrameSchema],
  ["SubscribedFrame", subscribed],
  ["UnsubscribedFrame", unsubscribed],
  ["ErrorFrame", errorFrame],
  ["ResyncRequiredFrame", resyncRequired],
  ["PingFrame", pingFrameSchema],
  ["PongFrame", pong],
  ["Presence", presenceSchema],
  ["SetPresenceRequest", setPresenceBody],
  ["TypingClientFrame", typingClientFrameSchema],
  ["ActivityFrame", activityFrameSchema],
  ["PresenceFrame", presenceFrameSchema],
  ["TypingFrame", typingFrameSchema],
];

/** Schemas referred to by a name declared elsewhere (same shape as a named one, or hand-written). */
const ALIASES: [object, string][] = [
  [addParticipantBody, "ParticipantRef"],
  [errorFrame.properties.error, "ErrorBody"],
];

const nameOf = new Map<object, string>([
  ...NAMED.map(([name, schema]) => [schema, name] as [object, string]),
  ...ALIASES,
]);

function isPage(schema: Record<string, unknown>): schema is { properties: { result: { items: object } } } {
  const properties = schema.properties as Record<string, { type?: string; items?: object }> | undefined;
  return (
    properties?.result?.type === "array" &&
    properties.next_page_token !== undefined &&
    Boolean(properties.result.items)
  );
}

/** The schema with `$id`s dropped and every named schema inside it replaced by a reference to its name. */
function referencing(schema: unknown, top = true): unknown {
  if (Array.isArray(schema)) return schema.map((item) => referencing(item, false));
  if (typeof schema !== "object" || schema === null) return schema;
  const name = nameOf.get(schema);
  if (!top && name) return { tsType: name };
  const record = schema as Record<string, unknown>;
  if (isPage(record))
    return {
      tsType: `Page<${(referencing(record.properties.result.items, false) as { tsType: string }).tsType}>`,
    };
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (key !== "$id") copy[key] = referencing(value, false);
  return copy;
}

async function declare(name: string, schema: object): Promise<string> {
  const source = await compile({ ...(referencing(schema) as object), title: name }, name, {
    bannerComment: "",
    format: false,
    declareExternallyReferenced: false,
    ignoreMinAndMaxItems: true,
  });
  return source.trim();
}

/** A type expression for a schema: its name when it has one, else a declaration made for it. */
async function typeOf(schema: object, fallback: string, declarations: string[]): Promise<string> {
  const named = nameOf.get(schema);
  if (named) return named;
  const referenced = referencing(schema) as { tsType?: string; type?: string; items?: { tsType?: string } };
  if (referenced.tsType) return referenced.tsType;
  if (referenced.type === "array" && referenced.items?.tsType) return `${referenced.items.tsType}[]`;
  declarations.push(await declare(fallback, schema));
  return fallback;
}

const pascal = (operation: string) =>
  operation
    .split(/[.]/)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join("");

/** Where the generated types live. */
export const CONTRACT_TYPES_FILE = join(
  __dirname,
  "..",
  "packages",
  "contracts",
  "src",
  "generated",
  "types.ts",
);

/** The source of packages/contracts/src/generated/types.ts, formatted as the repository formats. */
export async function contractTypesSource(): Promise<string> {
  const prettier = await import("prettier");
  const options = await prettier.resolveConfig(CONTRACT_TYPES_FILE);
  return prettier.format(await unformattedSource(), { ...options, parser: "typescript" });
}

async function unformattedSource(): Promise<string> {
  const declarations: string[] = [];
  for (const [name, schema] of NAMED) declarations.push(await declare(name, schema));
  const rpc: string[] = [];
  for (const [operation, { request, response }] of Object.entries(rpcOperations)) {
    const requestType = await typeOf(request, `${pascal(operation)}Request`, declarations);
    const responseType = await typeOf(response, `${pascal(operation)}Response`, declarations);
    rpc.push(`  ${JSON.stringify(operation)}: { request: ${requestType}; response: ${responseType} };`);
  }
  const payloads = EVENT_TYPES.map((type) => `  ${type}: ${nameOf.get(eventPayloads[type])};`);
  return [
    "/**",
    " * GENERATED from the JSON Schemas of @talk/contracts by scripts/contract-types.ts (`pnpm docs:api`):",
    " * do not edit; change the schemas and regenerate. See docs/decisions/contract-types.md.",
    " */",
    'import type { ErrorBody } from "../errors";',
    "",
    '/** A page of a list: `next_page_token` is "" on the last page. */',
    "export interface Page<T> {",
    "  result: T[];",
    "  next_page_token: string;",
    "}",
    "",
    declarations.join("\n\n"),
    "",
    "/** The payload (`data`) of each event type. */",
    "export interface EventPayloads {",
    ...payloads,
    "}",
    "",
    "/** Request and response of every RPC operation. */",
    "export interface RpcTypes {",
    ...rpc,
    "}",
    "",
  ].join("\n");
}
