import { ConnectionCaps } from "./connection-caps";

describe("connections per agent and per address", () => {
  it("admits up to the bound per agent, and again once one closes", () => {
    const caps = new ConnectionCaps({ perAgent: 2, perAddress: 10 });
    const key = { agentId: "a", address: "10.0.0.1" };
    expect(caps.admit(key)).toBeUndefined();
    expect(caps.admit({ ...key, address: "10.0.0.2" })).toBeUndefined();
    expect(caps.admit({ ...key, address: "10.0.0.3" })).toMatchObject({
      status: "RESOURCE_EXHAUSTED",
      reason: "TOO_MANY_CONNECTIONS_FOR_AGENT",
    });
    caps.release(key);
    expect(caps.admit(key)).toBeUndefined();
  });
  it("bounds one address whatever the agents, and a refusal counts nothing", () => {
    const caps = new ConnectionCaps({ perAgent: 10, perAddress: 2 });
    expect(caps.admit({ agentId: "a", address: "x" })).toBeUndefined();
    expect(caps.admit({ agentId: "b", address: "x" })).toBeUndefined();
    expect(caps.admit({ agentId: "c", address: "x" })?.reason).toBe("TOO_MANY_CONNECTIONS_FROM_ADDRESS");
    expect(caps.admit({ agentId: "c", address: "y" })).toBeUndefined();
  });
});
