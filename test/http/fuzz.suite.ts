/**
 * The guard for "no 5xx on any input" (issue 16): a property-based fuzz test generated from the
 * OpenAPI document the stack serves. Every operation gets mostly well-shaped requests with hostile
 * values mixed in (NUL, unpaired surrogates, impossible timestamps, bad percent-encoding, deep
 * nesting, wrong types, forged tokens, gzip that is not). It fails on any 5xx, on any request that
 * does not answer in time, and on half-written state found afterwards. A fixed seed runs every time,
 * then a random one; fast-check prints the seed of a failing run so it can be replayed.
 */
import fc from "fast-check";
import { type TestAgent, type TestStack, newCustomer } from "../support/stacks";

const FIXED_SEED = 16;
const RUNS_PER_SEED = 200;
const ANSWER_WITHIN_MS = 15_000;

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: string; schema?: Schema }[];
  body?: Schema;
}
interface Fixtures {
  ids: string[];
  tokens: (string | undefined)[];
}
interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

const IMPOSSIBLE_TIMESTAMPS = [
  "2024-13-45 99:99:99.000000",
  "2024-02-30 10:00:00.000000",
  "0000-01-01 00:00:00.000000",
];
const HOSTILE_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfff",
  "😀",
  "\u202e\u200b",
  "javascript:alert(1)",
  "http://",
  "<script>alert(1)</script>",
  "'; drop table chats; --",
  ...IMPOSSIBLE_TIMESTAMPS,
  "9999-12-31 23:59:59.999999",
  "00000000-0000-0000-0000-000000000000",
  "FFFFFFFF-FFFF-4FFF-8FFF-FFFFFFFFFFFF",
  "__proto__",
  "constructor",
  "x".repeat(5000),
];
const HOSTILE_PATH_IDS = ["%ZZ", "%", "%E0%A4%A", "..%2F..%2Fetc", "not-a-uuid", "%00", "%F0%9F%98%80"];

const hostileString = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ unit: "binary" }));
const hostileValue = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.anything({ maxDepth: 3 }),
);

/** Percent-encodes any string; an unpaired surrogate becomes the invalid UTF-8 bytes %ED%A0%80. */
const percentEncode = (text: string) =>
  text
    .split(/([\ud800-\udfff])/u)
    .map((part, i) => (i % 2 ? "%ED%A0%80" : encodeURIComponent(part)))
    .join("");

function resolve(schema: Schema, doc: Schema): Schema {
  if (typeof schema.$ref !== "string") return schema;
  return doc.components.schemas[schema.$ref.replace("#/components/schemas/", "")] as Schema;
}

/** Mostly values the schema allows (so requests get past validation), sometimes hostile ones. */
function valueFor(schema: Schema, doc: Schema, fixtures: Fixtures): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  return fc.oneof(
    { weight: 4, arbitrary: wellShaped(s, doc, fixtures) },
    { weight: 1, arbitrary: hostileValue },
  );
}

function wellShaped(s: Schema, doc: Schema, fixtures: Fixtures): fc.Arbitrary<unknown> {
  const alternatives = (s.oneOf ?? s.anyOf) as Schema[] | undefined;
  if (alternatives)
    return fc.oneof(
      ...alternatives.map((alt) =>
        valueFor({ ...s, oneOf: undefined, anyOf: undefined, ...alt }, doc, fixtures),
      ),
    );
  if ("const" in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  switch (s.type) {
    case "object": {
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      const required = new Set<string>((s.required as string[] | undefined) ?? []);
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties))
        shape[name] = valueFor(property, doc, fixtures);
      const keys = Object.keys(shape).filter((name) => !required.has(name));
      return fc
        .record(shape, { requiredKeys: [...required].filter((name) => name in shape) })
        .chain((value) =>
          keys.length
            ? fc
                .option(fc.tuple(hostileString, hostileValue), { freq: 8 })
                .map((extra) => (extra ? { ...value, [extra[0]]: extra[1] } : value))
            : fc.constant(value),
        );
    }
    case "array":
      return fc.array(valueFor((s.items ?? {}) as Schema, doc, fixtures), {
        maxLength: Math.min(Number(s.maxItems ?? 5), 5),
      });
    case "integer":
      return fc.integer({ min: Number(s.minimum ?? -10), max: Number(s.maximum ?? 1000) });
    case "string":
      if (typeof s.pattern === "string" && s.pattern.startsWith("^[0-9a-f]{8}"))
        return fc.oneof(fc.constantFrom(...fixtures.ids), fc.uuid({ version: 4 }));
      if (typeof s.pattern === "string" && s.pattern.startsWith("^\\d{4}"))
        return fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace("T", " ").replace("Z", "000")),
          fc.constantFrom(...IMPOSSIBLE_TIMESTAMPS),
        );
      return fc.oneof(
        {
          weight: 2,
          arbitrary: fc.string({
            minLength: Number(s.minLength ?? 0),
            maxLength: Math.min(Number(s.maxLength ?? 40), 40),
          }),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            ...HOSTILE_STRINGS.filter((h) => h.length <= Number(s.maxLength ?? Infinity)),
          ),
        },
      );
    default:
      return hostileValue;
  }
}

function requestFor(op: Operation, doc: Schema, fixtures: Fixtures): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === "path");
  const queryParams = op.parameters.filter((p) => p.in === "query");
  const pathValue = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...fixtures.ids).map(percentEncode) },
    { weight: 1, arbitrary: fc.uuid({ version: 4 }) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_PATH_IDS) },
    { weight: 1, arbitrary: hostileString.map(percentEncode) },
  );
  const queryValue = (schema: Schema | undefined) =>
    fc.option(
      valueFor(schema ?? {}, doc, fixtures).map((v) =>
        typeof v === "string" ? v : (JSON.stringify(v) ?? ""),
      ),
      {
        freq: 3,
      },
    );
  const body: fc.Arbitrary<string | Buffer | undefined> = op.body
    ? fc.oneof(
        { weight: 8, arbitrary: valueFor(op.body, doc, fixtures).map((v) => JSON.stringify(v) ?? "null") },
        {
          weight: 1,
          arbitrary: fc.constantFrom("{not json", "", "[".repeat(50_000) + "]".repeat(50_000), "{}"),
        },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
      )
    : op.method === "GET"
      ? fc.constant(undefined)
      : fc.option(fc.constantFrom("{}", "{not json"), { freq: 5 }).map((v) => v ?? undefined);
  return fc
    .record({
      path: fc.tuple(...pathParams.map(() => pathValue)),
      query: fc.tuple(...queryParams.map((p) => queryValue(p.schema))),
      token: fc.constantFrom(...fixtures.tokens),
      idempotencyKey: fc.option(fc.oneof(fc.uuid(), fc.string({ maxLength: 300 })), { freq: 3 }),
      gzip: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      body,
    })
    .map(({ path, query, token, idempotencyKey, gzip, body: payload }) => {
      let url = op.path;
      pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, path[i])));
      const search = queryParams
        .map((p, i) => (query[i] === null ? undefined : `${p.name}=${percentEncode(query[i])}`))
        .filter(Boolean)
        .join("&");
      const headers: Record<string, string> = {};
      if (payload !== undefined) headers["content-type"] = "application/json";
      if (token) headers.authorization = `Bearer ${token}`;
      if (idempotencyKey !== null && /^[\x20-\x7e]*$/.test(idempotencyKey))
        headers["idempotency-key"] = idempotencyKey;
      if (gzip && payload !== undefined) headers["content-encoding"] = "gzip";
      return { method: op.method, url: `/v1.0${url}${search ? `?${search}` : ""}`, headers, body: payload };
    });
}

function operationsOf(doc: Schema): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Schema>>))
    for (const [method, op] of Object.entries(methods)) {
      if (!["get", "post", "put", "delete"].includes(method)) continue;
      ops.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []) as Operation["parameters"],
        body: op.requestBody?.content?.["application/json"]?.schema as Schema | undefined,
      });
    }
  return ops;
}

async function send(baseUrl: string, request: FuzzRequest): Promise<{ status: number; text: string }> {
  const res = await fetch(`${baseUrl}${request.url}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
  return { status: res.status, text: await res.text() };
}

/** No half-written state: every chat the agent lists is whole, and every message it lists can be read. */
async function expectConsistent(agent: TestAgent): Promise<void> {
  const chats = await agent.api.get("/service_agents/talk_chats?page_size=100");
  expect(chats.status).toBe(200);
  for (const chat of chats.body.result as { id: string; member_count: number }[]) {
    const participants = await agent.api.get(`/service_agents/talk_chats/${chat.id}/participants`);
    expect({ chat: chat.id, members: participants.body.length }).toEqual({
      chat: chat.id,
      members: chat.member_count,
    });
    const listed = await agent.api.get(`/service_agents/talk_messages?chat_id=${chat.id}&page_size=100`);
    expect(listed.status).toBe(200);
    for (const message of listed.body.result as { id: string }[]) {
      const read = await agent.api.get(`/service_agents/talk_messages/${message.id}`);
      expect(read.body).toEqual(message);
    }
  }
}

export function describeFuzz(name: string, current: () => TestStack): void {
  describe(`fuzzing every operation of the OpenAPI document (${name})`, () => {
    let stack: TestStack;
    let doc: Schema;
    let agents: TestAgent[];
    let fixtures: Fixtures;

    beforeAll(async () => {
      stack = current();
      doc = (await stack.api.get("/openapi.json")).body as Schema;
      agents = (await newCustomer(stack, 2)).agents;
      const [alice, bob] = agents;
      const stranger = (await newCustomer(stack, 1)).agents[0];
      const ref = (a: TestAgent) => ({ owner_type: "agent", owner_id: a.id });
      const group = await alice.api.post("/service_agents/talk_chats", {
        type: "group",
        name: "g",
        participants: [ref(bob)],
      });
      const channel = await bob.api.post("/service_agents/talk_chats", { type: "talk", name: "c" });
      const direct = await alice.api.post("/service_agents/talk_chats", {
        type: "direct",
        participants: [ref(bob)],
      });
      const foreign = await stranger.api.post("/service_agents/talk_chats", { type: "group", name: "f" });
      const message = await alice.api.post("/service_agents/talk_messages", {
        chat_id: group.body.id,
        type: "normal",
        text: "m",
      });
      const participants = await alice.api.get(`/service_agents/talk_chats/${group.body.id}/participants`);
      fixtures = {
        ids: [
          alice.id,
          bob.id,
          stranger.id,
          group.body.id,
          channel.body.id,
          direct.body.id,
          foreign.body.id,
          message.body.id,
          ...(participants.body as { id: string }[]).map((p) => p.id),
        ],
        tokens: [
          alice.token,
          bob.token,
          stranger.token,
          undefined,
          alice.token.slice(0, -3) + "AAA",
          "not.a.token",
        ],
      };
    });

    const property = () =>
      fc.asyncProperty(
        fc.constantFrom(...operationsOf(doc)).chain((op) => requestFor(op, doc, fixtures)),
        async (request) => {
          const answer = await send(stack.api.baseUrl, request).catch((error: unknown) => {
            throw new Error(`${request.method} ${request.url} did not answer: ${String(error)}`);
          });
          if (answer.status >= 500)
            throw new Error(
              `${request.method} ${request.url} answered ${answer.status}: ${answer.text.slice(0, 500)}`,
            );
          if (answer.status >= 400) expect(JSON.parse(answer.text).error.message).toEqual(expect.any(String));
        },
      );

    it("answers every request of a fixed seed with a non-5xx status, in time", async () => {
      await fc.assert(property(), { seed: FIXED_SEED, numRuns: RUNS_PER_SEED, endOnFailure: true });
      for (const agent of agents) await expectConsistent(agent);
    });

    it("and of a random seed (printed on failure)", async () => {
      const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
      try {
        await fc.assert(property(), { seed, numRuns: RUNS_PER_SEED, endOnFailure: true });
        for (const agent of agents) await expectConsistent(agent);
      } catch (error) {
        throw new Error(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed}): ${String(error)}`);
      }
    });
  });
}
