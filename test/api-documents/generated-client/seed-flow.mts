/**
 * The seed's walk-through with a client generated from the served OpenAPI document by
 * openapi-typescript (./talk-api.js is its output) and openapi-fetch: log in, create a chat,
 * send, list. Compiled with tsc (strict) and run with plain node by generated-client.test.ts;
 * prints what it saw as JSON. Only the generated types and openapi-fetch: nothing of Talk's code.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./talk-api.js";

type Message = components["schemas"]["Message"];
type Reason = components["schemas"]["Error"]["error"]["reason"];

const [baseUrl, username, password, otherAgentId] = process.argv.slice(2);
const api = createClient<paths>({ baseUrl: `${baseUrl}/v1.0` });

const login = await api.POST("/auth/login", { body: { username, password } });
if (!login.data) throw new Error(`login failed: ${JSON.stringify(login.error)}`);
const requestId = login.response.headers.get("x-request-id");
const rateLimit = login.response.headers.get("ratelimit");
api.use({
  onRequest: ({ request }) => {
    request.headers.set("Authorization", `Bearer ${login.data.token}`);
    return request;
  },
});

const chat = await api.POST("/service_agents/talk_chats", {
  body: {
    type: "group",
    name: "Project Discussion",
    participants: [{ owner_type: "agent", owner_id: otherAgentId }],
  },
});
if (!chat.data) throw new Error(`create chat failed: ${JSON.stringify(chat.error)}`);

const sent = await api.POST("/service_agents/talk_messages", {
  body: { chat_id: chat.data.id, type: "normal", text: "Hello team! Let's discuss the new feature." },
  headers: { "Idempotency-Key": "seed-flow-1" },
});
if (!sent.data) throw new Error(`send failed: ${JSON.stringify(sent.error)}`);

const list = await api.GET("/service_agents/talk_messages", {
  params: { query: { chat_id: chat.data.id, page_size: 10 } },
});
if (!list.data) throw new Error(`list failed: ${JSON.stringify(list.error)}`);
const history: Message[] = list.data.result;

// Errors are typed too: the reason is the contract's vocabulary.
const missing = await api.GET("/service_agents/talk_chats/{id}", {
  params: { path: { id: "00000000-0000-4000-8000-000000000000" } },
});
const reason: Reason | undefined = missing.error?.error.reason;

// The contract offers agents only "normal" messages: "system" does not compile.
const _refused = () =>
  // @ts-expect-error "system" is not a type an agent may post
  api.POST("/service_agents/talk_messages", { body: { chat_id: chat.data.id, type: "system" } });

console.log(
  JSON.stringify({
    login: { username: login.data.username, requestId, rateLimit },
    chat: chat.data,
    sent: sent.data,
    history: history.map(({ id, type, text }) => ({ id, type, text })),
    missing: { status: missing.response.status, reason },
  }),
);
