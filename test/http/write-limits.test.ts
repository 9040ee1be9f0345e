/**
 * Write budgets (issue 16): each agent and each customer gets a token bucket for writes, kept by the
 * service that owns the write, so every gateway replica draws on the same budget. Over it: 429 with
 * Retry-After and RateLimit-* headers, nothing written.
 */
import { describeNeeding } from "@talk/testkit";
import { Api } from "../support/http";
import {
  type TestStack,
  newCustomer,
  startDistributedStack,
  startEmbeddedStack,
  useStack,
} from "../support/stacks";

const PER_AGENT = 6;
const chats = "/service_agents/talk_chats";
const messages = "/service_agents/talk_messages";

function describeWriteLimits(name: string, current: () => TestStack, gatewayUrls: () => string[]): void {
  it(`refuses an agent's writes over its budget with 429, Retry-After and RateLimit-* (${name})`, async () => {
    const stack = current();
    const [alice, bob] = (await newCustomer(stack, 2)).agents;
    const chat = (
      await bob.api.post(chats, {
        type: "group",
        participants: [{ owner_type: "agent", owner_id: alice.id }],
      })
    ).body;
    const urls = gatewayUrls();
    const statuses: number[] = [];
    let refused;
    for (let i = 0; i <= PER_AGENT; i++) {
      // alternate between the gateway replicas: they enforce one budget
      const api = new Api(urls[i % urls.length], alice.token);
      const res = await api.post(messages, { chat_id: chat.id, type: "normal", text: `m${i}` });
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    expect(statuses).toEqual([...Array<number>(PER_AGENT).fill(200), 429]);
    expect(refused?.body.error).toMatchObject({ status: "RESOURCE_EXHAUSTED", reason: "WRITE_RATE_LIMITED" });
    expect(Number(refused?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused?.headers.get("ratelimit-limit")).toBe(String(PER_AGENT));
    expect(refused?.headers.get("ratelimit-remaining")).toBe("0");
    expect(Number(refused?.headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(1);
    // nothing of the refused write was stored; another agent still writes
    const listed = await bob.api.get(`${messages}?chat_id=${chat.id}`);
    expect(listed.body.result.filter((m: { type: string }) => m.type === "normal")).toHaveLength(PER_AGENT);
    expect((await bob.api.post(messages, { chat_id: chat.id, type: "normal", text: "bob" })).status).toBe(
      200,
    );
  });

  it(`charges an admin's agent creations to the admin's write budget (${name})`, async () => {
    const stack = current();
    const { customerId, agents } = await newCustomer(stack, 1);
    const [admin] = agents;
    const urls = gatewayUrls();
    const username = (i: number) => `created-${admin.id.slice(0, 8)}-${i}`;
    const statuses: number[] = [];
    let refused;
    for (let i = 0; i <= PER_AGENT; i++) {
      const api = new Api(urls[i % urls.length], admin.token);
      const res = await api.post("/agents", { username: username(i), password: `password-${username(i)}` });
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    expect(statuses).toEqual([...Array<number>(PER_AGENT).fill(200), 429]);
    expect(refused?.body.error).toMatchObject({ status: "RESOURCE_EXHAUSTED", reason: "WRITE_RATE_LIMITED" });
    expect(Number(refused?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused?.headers.get("ratelimit-limit")).toBe(String(PER_AGENT));
    // the refused agent was not created: it cannot log in
    const login = await stack.api.post("/auth/login", {
      username: username(PER_AGENT),
      password: `password-${username(PER_AGENT)}`,
    });
    expect(login.status).toBe(401);
    // creations without an actor (the seed, operators over the bus) are not charged
    const seeded = await stack.bus.call("agent.create", {
      customer_id: customerId,
      agent: { username: `seeded-${admin.id.slice(0, 8)}`, password: "password-seeded" },
    });
    expect(seeded.customer_id).toBe(customerId);
  });

  it(`charges concurrent writes exactly: with 2 writes left, 2 of 4 at once pass (${name})`, async () => {
    const stack = current();
    const [alice, bob] = (await newCustomer(stack, 2)).agents;
    const chat = (
      await bob.api.post(chats, {
        type: "group",
        participants: [{ owner_type: "agent", owner_id: alice.id }],
      })
    ).body;
    const urls = gatewayUrls();
    const send = (i: number) =>
      new Api(urls[i % urls.length], alice.token).post(messages, {
        chat_id: chat.id,
        type: "normal",
        text: `c${i}`,
      });
    for (let i = 0; i < PER_AGENT - 2; i++) expect((await send(i)).status).toBe(200);
    // charged together where they meet (the group asks more than the bucket holds: each alone)
    const answers = await Promise.all([0, 1, 2, 3].map((i) => send(PER_AGENT + i)));
    expect(answers.map((res) => res.status).sort()).toEqual([200, 200, 429, 429]);
    for (const res of answers.filter((r) => r.status === 429))
      expect(res.headers.get("ratelimit-remaining")).toBe("0");
    const listed = await bob.api.get(`${messages}?chat_id=${chat.id}`);
    expect(listed.body.result.filter((m: { type: string }) => m.type === "normal")).toHaveLength(PER_AGENT);
  });

  it(`does not charge read marks to the write budget (${name})`, async () => {
    const [alice, bob] = (await newCustomer(current(), 2)).agents;
    const chat = (
      await bob.api.post(chats, {
        type: "group",
        participants: [{ owner_type: "agent", owner_id: alice.id }],
      })
    ).body;
    const urls = gatewayUrls();
    for (let i = 0; i < PER_AGENT * 2; i++) {
      const api = new Api(urls[i % urls.length], alice.token);
      // a mark that moves (after bob's message) and one that does not: neither is charged
      if (i % 3 === 0)
        expect(
          (await bob.api.post(messages, { chat_id: chat.id, type: "normal", text: `b${i}` })).status,
        ).toBe(200);
      const read = await api.post(`${chats}/${chat.id}/read`);
      expect({ i, status: read.status }).toEqual({ i, status: 200 });
    }
    const statuses: number[] = [];
    for (let i = 0; i <= PER_AGENT; i++)
      statuses.push(
        (await alice.api.post(messages, { chat_id: chat.id, type: "normal", text: `a${i}` })).status,
      );
    expect(statuses).toEqual([...Array<number>(PER_AGENT).fill(200), 429]);
  });
}

describe("write budgets (embedded)", () => {
  const stack = useStack(() =>
    startEmbeddedStack({ writeRates: { perAgentPerMinute: PER_AGENT, perCustomerPerMinute: 100_000 } }),
  );
  describeWriteLimits("embedded", stack, () => [stack().api.baseUrl]);
});

describeNeeding(["rabbitmq", "postgres"])("write budgets (distributed, two gateway replicas)", () => {
  const stack = useStack(() =>
    startDistributedStack({ env: { WRITE_RATE_PER_AGENT_PER_MINUTE: String(PER_AGENT) } }),
  );
  describeWriteLimits("distributed", stack, () =>
    (stack().distributed?.byService("api-gateway") ?? []).map((p) => p.url),
  );
});
