/**
 * The SDK's HTTP behaviour against a scripted fetch: what is retried and what is not, how long it
 * waits, and logging in again when a token expires. (The same against a real system: test/.)
 */
import { TalkClient } from "./client";
import { TalkApiError } from "./errors";
import { newIdempotencyKey } from "./idempotency-key";
import { type FetchFunction, parseRetryAfter } from "./transport";

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const apiError = (status: number, name: string, reason: string, headers?: Record<string, string>) =>
  json(
    status,
    { error: { status: name, reason, message: `${reason} happened`, request_id: "req-1" } },
    headers,
  );
const token = (agent: string) =>
  `h.${Buffer.from(JSON.stringify({ sub: agent, customer_id: "c", username: "ann", permission: "agent", exp: 4102444800 })).toString("base64url")}.s`;

function scripted(...answers: (Response | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch: FetchFunction = async (url, init) => {
    calls.push({ url, init });
    const answer = answers.shift();
    if (!answer) throw new Error("no more answers");
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { fetch, calls, header: (i: number, name: string) => new Headers(calls[i].init.headers).get(name) };
}

describe("the SDK's HTTP transport", () => {
  it("does not wait for a Retry-After longer than its limit: the error says how long", async () => {
    const api = scripted(apiError(429, "RESOURCE_EXHAUSTED", "TOO_MANY_LOGINS", { "retry-after": "60" }));
    const error = await TalkClient.login("http://talk.test", "ann", "pw", { fetch: api.fetch }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TalkApiError);
    expect(error).toMatchObject({
      httpStatus: 429,
      reason: "TOO_MANY_LOGINS",
      retryAfterMs: 60_000,
      requestId: "req-1",
    });
    expect(api.calls).toHaveLength(1);
    expect(api.header(0, "idempotency-key")).toBeNull();
  });

  it("logs in again once when the token expired, and repeats the request with the new token", async () => {
    const api = scripted(
      json(200, { username: "ann", token: token("agent-1") }),
      apiError(401, "UNAUTHENTICATED", "TOKEN_EXPIRED"),
      json(200, { username: "ann", token: token("agent-1") + "x" }),
      json(200, { id: "chat-1" }),
    );
    const client = await TalkClient.login("http://talk.test/", "ann", "pw", { fetch: api.fetch });
    await expect(client.chats.get("chat-1")).resolves.toEqual({ id: "chat-1" });
    expect(api.calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      "POST http://talk.test/v1.0/auth/login",
      "GET http://talk.test/v1.0/service_agents/talk_chats/chat-1",
      "POST http://talk.test/v1.0/auth/login",
      "GET http://talk.test/v1.0/service_agents/talk_chats/chat-1",
    ]);
    expect(api.header(3, "authorization")).toBe(`Bearer ${token("agent-1")}x`);
    expect(client.token).toBe(`${token("agent-1")}x`);
  });

  it("sends a key of the caller's choosing, and the same one on every attempt", async () => {
    const api = scripted(
      new TypeError("fetch failed"),
      apiError(503, "UNAVAILABLE", "RPC_TIMEOUT"),
      json(200, { id: "m" }),
    );
    const client = new TalkClient({
      baseUrl: "http://talk.test",
      token: token("a"),
      fetch: api.fetch,
      retry: { baseDelayMs: 1 },
    });
    await client.messages.send(
      { chat_id: "c", text: "hi" },
      { idempotencyKey: "my-key", requestId: "trace-1" },
    );
    expect(api.calls.map((_, i) => api.header(i, "idempotency-key"))).toEqual(["my-key", "my-key", "my-key"]);
    expect(api.header(2, "x-request-id")).toBe("trace-1");
    expect(JSON.parse(String(api.calls[0].init.body))).toEqual({ chat_id: "c", text: "hi", type: "normal" });
  });

  it("turns an answer without the API's envelope into a TalkApiError of its HTTP status", async () => {
    const api = scripted(new Response("<html>Bad gateway</html>", { status: 502 }));
    const client = new TalkClient({ baseUrl: "http://talk.test", token: token("a"), fetch: api.fetch });
    await expect(client.chats.get("c")).rejects.toMatchObject({
      httpStatus: 502,
      status: "INTERNAL",
      reason: "HTTP_502",
    });
  });

  it("reads Retry-After as seconds or as a date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });

  it("makes idempotency keys that are version-4 UUIDs", () => {
    expect(newIdempotencyKey()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it("rejects at once, sending nothing, when its AbortSignal is already aborted", async () => {
    const api = scripted(json(200, { id: "chat-1" }));
    const client = new TalkClient({ baseUrl: "http://talk.test", token: token("agent-1"), fetch: api.fetch });
    const aborted = AbortSignal.abort();
    await expect(client.chats.get("chat-1", { signal: aborted })).rejects.toMatchObject({
      name: "AbortError",
    });
    const why = new Error("the user left the page");
    await expect(
      client.messages.send({ chat_id: "chat-1", text: "hi" }, { signal: AbortSignal.abort(why) }),
    ).rejects.toBe(why);
    expect(api.calls).toHaveLength(0);
  });

  it("abandons a request whose signal aborts while it waits to retry", async () => {
    const api = scripted(apiError(503, "UNAVAILABLE", "RPC_TIMEOUT", { "retry-after": "5" }));
    const client = new TalkClient({ baseUrl: "http://talk.test", token: token("agent-1"), fetch: api.fetch });
    const controller = new AbortController();
    const pending = client.chats.get("chat-1", { signal: controller.signal });
    await waitUntil(() => api.calls.length === 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(api.calls).toHaveLength(1);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
