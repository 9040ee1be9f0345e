/** The OpenAPI 3.1 document of the public API, generated from the contracts' JSON Schemas. */
import {
  addParticipantBody,
  agentSchema,
  chatSchema,
  createAgentBody,
  createChatBody,
  createMessageBody,
  messageSchema,
  reactionBody,
  loginBody,
  loginResponse,
  MAX_PAGE_SIZE,
  participantSchema,
  TIMESTAMP_PATTERN,
  updateChatBody,
  uuid,
} from "@talk/contracts";

const strip = ({ $id: _id, ...schema }: { $id?: string } & object) => schema;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ "application/json": { schema } });
const page = (item: string) => ({
  type: "object",
  required: ["result", "next_page_token"],
  properties: { result: { type: "array", items: ref(item) }, next_page_token: { type: "string" } },
});

const errorResponses = {
  "400": { description: "Invalid input; the message names the field", content: json(ref("Error")) },
  "401": { description: "Missing, invalid or expired token", content: json(ref("Error")) },
  "403": { description: "Not allowed", content: json(ref("Error")) },
  "404": { description: "Not found (also another customer's resource)", content: json(ref("Error")) },
  "503": { description: "A backing service did not answer in time", content: json(ref("Error")) },
};

const idParam = (name: string, what: string) => ({
  name,
  in: "path",
  required: true,
  description: what,
  schema: uuid,
});
const pageParams = [
  {
    name: "page_size",
    in: "query",
    schema: { type: "integer", minimum: 1, default: MAX_PAGE_SIZE },
    description: `At most ${MAX_PAGE_SIZE}; larger values are clamped`,
  },
  {
    name: "page_token",
    in: "query",
    schema: { type: "string", pattern: TIMESTAMP_PATTERN },
    description: "next_page_token of the previous page",
  },
];

function op(
  summary: string,
  response: object,
  extra: { body?: string; params?: object[]; auth?: boolean } = {},
) {
  return {
    summary,
    ...(extra.params ? { parameters: extra.params } : {}),
    ...(extra.body ? { requestBody: { required: true, content: json(ref(extra.body)) } } : {}),
    ...(extra.auth === false ? { security: [] } : {}),
    responses: { "200": { description: "OK", content: json(response) }, ...errorResponses },
  };
}

const chatId = idParam("id", "The chat's id");
const messageId = idParam("id", "The message's id");
const idempotencyParam = {
  name: "Idempotency-Key",
  in: "header",
  description: "Makes a retry take effect once (24 h, per agent); the same key with another request is a 409",
  schema: { type: "string", minLength: 1, maxLength: 255 },
};

export function openApiDocument() {
  return {
    openapi: "3.1.0",
    info: { title: "Talk API", version: "1.0", description: "Real-time chat for contact-center agents." },
    servers: [{ url: "/v1.0" }],
    security: [{ bearer: [] }, { token: [] }],
    paths: {
      "/auth/login": {
        post: op("Log in; returns an access token", ref("LoginResponse"), {
          body: "LoginRequest",
          auth: false,
        }),
      },
      "/agents": {
        get: op("List the agents of my customer", page("Agent"), { params: pageParams }),
        post: op("Create an agent in my customer (admins only)", ref("Agent"), {
          body: "CreateAgentRequest",
        }),
      },
      "/agents/{id}": {
        get: op("Get an agent", ref("Agent"), { params: [idParam("id", "The agent's id")] }),
      },
      "/service_agents/talk_chats": {
        get: op("List the chats I am in, newest first", page("Chat"), { params: pageParams }),
        post: op("Create a chat (a direct chat that exists is returned)", ref("Chat"), {
          body: "CreateChatRequest",
        }),
      },
      "/service_agents/talk_chats/{id}": {
        get: op("Get a chat", ref("Chat"), { params: [chatId] }),
        put: op("Update a chat's name or detail", ref("Chat"), {
          params: [chatId],
          body: "UpdateChatRequest",
        }),
        delete: op("Delete a chat (soft)", ref("Chat"), { params: [chatId] }),
      },
      "/service_agents/talk_chats/{id}/participants": {
        get: op(
          "List a chat's participants",
          { type: "array", items: ref("Participant") },
          { params: [chatId] },
        ),
        post: op("Add a participant (idempotent)", ref("Participant"), {
          params: [chatId],
          body: "AddParticipantRequest",
        }),
      },
      "/service_agents/talk_chats/{id}/participants/{participant_id}": {
        delete: op("Remove a participant", ref("Participant"), {
          params: [chatId, idParam("participant_id", "The participant's id")],
        }),
      },
      "/service_agents/talk_chats/{id}/join": {
        post: op("Join a public channel", ref("Participant"), { params: [chatId] }),
      },
      "/service_agents/talk_channels": {
        get: op("List my customer's public channels", page("Chat"), { params: pageParams }),
      },
      "/service_agents/talk_messages": {
        get: op("List a chat's messages (or one thread), newest first", page("Message"), {
          params: [
            { name: "chat_id", in: "query", required: true, schema: uuid },
            { name: "parent_id", in: "query", description: "Only the replies to this message", schema: uuid },
            ...pageParams,
          ],
        }),
        post: op("Send a message (type normal; parent_id for a reply)", ref("Message"), {
          body: "CreateMessageRequest",
          params: [idempotencyParam],
        }),
      },
      "/service_agents/talk_messages/{id}": {
        get: op("Get a message", ref("Message"), { params: [messageId] }),
        delete: op("Delete my message (it stays as a tombstone)", ref("Message"), {
          params: [messageId, idempotencyParam],
        }),
      },
      "/service_agents/talk_messages/{id}/reactions": {
        post: op("Add my reaction (idempotent per emoji)", ref("Message"), {
          params: [messageId, idempotencyParam],
          body: "ReactionRequest",
        }),
        delete: op("Remove my reaction", ref("Message"), {
          params: [messageId, idempotencyParam],
          body: "ReactionRequest",
        }),
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        token: { type: "apiKey", in: "query", name: "token" },
      },
      schemas: {
        Agent: strip(agentSchema),
        Chat: strip(chatSchema),
        Participant: strip(participantSchema),
        LoginRequest: strip(loginBody),
        LoginResponse: strip(loginResponse),
        CreateAgentRequest: strip(createAgentBody),
        CreateChatRequest: strip(createChatBody),
        UpdateChatRequest: strip(updateChatBody),
        AddParticipantRequest: strip(addParticipantBody),
        Message: strip(messageSchema),
        CreateMessageRequest: strip(createMessageBody),
        ReactionRequest: strip(reactionBody),
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["status", "reason", "message", "request_id"],
              properties: {
                status: { type: "string" },
                reason: { type: "string" },
                message: { type: "string" },
                request_id: { type: "string" },
              },
            },
          },
        },
      },
    },
  };
}
