import { parseTrustProxy } from "./trust-proxy";

describe("TRUST_PROXY", () => {
  it("trusts nobody by default", () => {
    expect(parseTrustProxy("")).toBe(false);
    expect(parseTrustProxy("0")).toBe(false);
  });
  it("takes a number of proxy hops", () => {
    expect(parseTrustProxy("1")).toBe(1);
  });
  it("takes proxies' addresses and subnets", () => {
    expect(parseTrustProxy("10.0.0.5, 172.16.0.0/12,loopback,::1")).toEqual([
      "10.0.0.5",
      "172.16.0.0/12",
      "loopback",
      "::1",
    ]);
  });
  it("refuses anything else, naming it", () => {
    expect(() => parseTrustProxy("everyone")).toThrow(/"everyone"/);
    expect(() => parseTrustProxy("10.0.0.0/33")).toThrow(/10\.0\.0\.0\/33/);
  });
});
