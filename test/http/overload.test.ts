/**
 * Admission control (issues 16 and 18): a gateway past its limits refuses the excess at once with
 * 503 OVERLOADED and Retry-After — before reading the request's body — while the requests it took
 * complete and are stored. Requests are held in flight by sending their body in two parts, so no
 * step depends on timing.
 */
import { describeNeeding, waitFor } from "@talk/testkit";
import { HeldRequest } from "../support/held-request";
import { Api } from "../support/http";
import {
  type TestAgent,
  type TestStack,
  newCustomer,
  startDistributedStack,
  startEmbeddedStack,
  useStack,
} from "../support/stacks";

const MESSAGES = "/service_agents/talk_messages";

/** One gateway: where to send requests and where its metrics are. */
interface Gateway {
  url: string;
  metricsUrl: string;
}

async function metric(gateway: Gateway, pattern: RegExp): Promise<number> {
  const text = await (await fetch(gateway.metricsUrl)).text();
  const line = text.split("\n").find((l) => pattern.test(l) && !l.startsWith("#"));
  return line === undefined ? NaN : Number(line.split(" ").pop());
}

const inFlight = (gateway: Gateway) => metric(gateway, /^talk_http_requests_in_flight[{ ]/);
const admissionLimit = (gateway: Gateway) => metric(gateway, /^talk_http_admission_limit[{ ]/);
const shed = (gateway: Gateway, reason: string) =>
  metric(gateway, new RegExp(`^talk_http_requests_shed_total\\{[^}]*reason="${reason}"`));

function holdSend(gateway: Gateway, agent: TestAgent, chatId: string, text: string): HeldRequest {
  return new HeldRequest(
    gateway.url,
    "POST",
    `/v1.0${MESSAGES}`,
    { Authorization: `Bearer ${agent.token}`, "Content-Type": "application/json" },
    JSON.stringify({ chat_id: chatId, type: "normal", text }),
  );
}

async function groupOf(stack: TestStack): Promise<{ alice: TestAgent; chatId: string }> {
  const [alice, bob] = (await newCustomer(stack, 2)).agents;
  const chat = await alice.api.post("/service_agents/talk_chats", {
    type: "group",
    participants: [{ owner_type: "agent", owner_id: bob.id }],
  });
  return { alice, chatId: chat.body.id };
}

async function storedTexts(alice: TestAgent, chatId: string): Promise<string[]> {
  const listed = await alice.api.get(`${MESSAGES}?chat_id=${chatId}&page_size=100`);
  return listed.body.result
    .filter((m: { type: string }) => m.type === "normal")
    .map((m: { text: string }) => m.text);
}

function describeInFlightLimit(name: string, current: () => TestStack, gatewayOf: () => Gateway): void {
  it(`refuses requests beyond MAX_REQUESTS_IN_FLIGHT with 503 OVERLOADED and Retry-After before reading their body, and completes those it took (${name})`, async () => {
    const stack = current();
    const gateway = gatewayOf();
    const { alice, chatId } = await groupOf(stack);
    const held = [holdSend(gateway, alice, chatId, "held 1"), holdSend(gateway, alice, chatId, "held 2")];
    await waitFor(async () => (await inFlight(gateway)) === 2, {
      what: "two sends admitted and waiting for their body",
    });

    // a whole request over the limit: refused at once
    const refused = await new Api(gateway.url, alice.token).post(MESSAGES, {
      chat_id: chatId,
      type: "normal",
      text: "refused",
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.body.error).toMatchObject({ status: "UNAVAILABLE", reason: "OVERLOADED" });
    // one whose body never comes: answered all the same (its body was never waited for)
    const bodiless = await holdSend(gateway, alice, chatId, "never sent whole").reply;
    expect(bodiless.status).toBe(503);
    expect(bodiless.headers["retry-after"]).toBe("1");
    expect(JSON.parse(bodiless.body).error).toMatchObject({ reason: "OVERLOADED" });
    expect(await shed(gateway, "in_flight")).toBeGreaterThanOrEqual(2);

    // the two it took complete and are stored; the refused ones are not
    const taken = await Promise.all(held.map((request) => request.finish()));
    expect(taken.map((reply) => reply.status)).toEqual([200, 200]);
    expect((await storedTexts(alice, chatId)).sort()).toEqual(["held 1", "held 2"]);
    // with the slots free it serves again
    const after = await alice.api.post(MESSAGES, { chat_id: chatId, type: "normal", text: "after" });
    expect(after.status).toBe(200);
  });
}

function describeAdaptiveLimit(name: string, current: () => TestStack, gatewayOf: () => Gateway): void {
  it(`admits fewer requests at once while their latency rises beyond its tolerance, refusing the rest with 503 OVERLOADED (${name})`, async () => {
    const stack = current();
    const gateway = gatewayOf();
    const { alice, chatId } = await groupOf(stack);
    const api = new Api(gateway.url, alice.token);
    // with a tolerance of 1 % every window's latency is "beyond" its long run: bursts that use the
    // limit bring it down (refusals among them are admission control at work)
    let sent = 0;
    await waitFor(
      async () => {
        const burst = await Promise.all(
          Array.from({ length: 8 }, () =>
            api.post(MESSAGES, { chat_id: chatId, type: "normal", text: `burst ${sent++}` }),
          ),
        );
        for (const res of burst) expect([200, 503]).toContain(res.status);
        return (await admissionLimit(gateway)) < 8;
      },
      { what: "the adaptive limit below MAX_REQUESTS_IN_FLIGHT", intervalMs: 0, timeoutMs: 60_000 },
    );
    // it changes only when a request completes: hold as many as it admits now, and one more is refused
    const limit = await admissionLimit(gateway);
    const held = Array.from({ length: limit }, (_, i) => holdSend(gateway, alice, chatId, `held ${i}`));
    await waitFor(async () => (await inFlight(gateway)) === limit, {
      what: `${limit} sends admitted and held`,
    });
    const refused = await api.post(MESSAGES, { chat_id: chatId, type: "normal", text: "refused" });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.body.error).toMatchObject({ reason: "OVERLOADED" });
    expect(refused.body.error.message).toMatch(/queueing/);
    expect(await shed(gateway, "queue")).toBeGreaterThanOrEqual(1);
    expect((await Promise.all(held.map((request) => request.finish()))).map((r) => r.status)).toEqual(
      held.map(() => 200),
    );
    const texts = await storedTexts(alice, chatId);
    for (let i = 0; i < limit; i++) expect(texts).toContain(`held ${i}`);
    expect(texts).not.toContain("refused");
  });
}

describe("admission control (embedded)", () => {
  describe("a fixed in-flight limit", () => {
    const stack = useStack(() => startEmbeddedStack({ gateway: { maxRequestsInFlight: 2 } }));
    const gateway = () => ({ url: stack().api.baseUrl, metricsUrl: stack().metricsUrls[0] });
    describeInFlightLimit("embedded", stack, gateway);
  });
  describe("an adaptive limit", () => {
    const stack = useStack(() =>
      startEmbeddedStack({ gateway: { maxRequestsInFlight: 8, overloadLatencyTolerancePercent: 1 } }),
    );
    const gateway = () => ({ url: stack().api.baseUrl, metricsUrl: stack().metricsUrls[0] });
    describeAdaptiveLimit("embedded", stack, gateway);
  });
});

describeNeeding(["rabbitmq", "postgres"])("admission control (distributed, two gateway replicas)", () => {
  const stack = useStack(() => startDistributedStack({ env: { MAX_REQUESTS_IN_FLIGHT: "2" } }));
  const gateway = () => {
    const [first] = stack().distributed?.byService("api-gateway") ?? [];
    return { url: first.url, metricsUrl: `${first.url}/metrics` };
  };
  describeInFlightLimit("distributed", stack, gateway);
});
