import jwt from "jsonwebtoken";
import { issueToken, keyIdOf, tokenFrom, verifyToken } from "./index";

const claims = {
  agent_id: "eb1ac5c0-ff63-47e2-bcdb-5da9c336eb4b",
  customer_id: "5e4a0680-804e-11ec-8477-2fea5968d85b",
  username: "alice",
  permission: "admin" as const,
};
const options = { secret: "test-secret-test-secret-test-secret", ttlSeconds: 60 };

describe("access tokens", () => {
  it("carry the agent, its customer and its permission", () => {
    expect(verifyToken(issueToken(claims, options), options)).toEqual(claims);
  });
  it("are refused when signed with another secret", () => {
    const token = issueToken(claims, { ...options, secret: "another-secret-another-secret" });
    expect(() => verifyToken(token, options)).toThrow(/not valid/);
  });
  it("are refused once expired, saying so", () => {
    const token = jwt.sign(
      { customer_id: claims.customer_id, username: "a", exp: Math.floor(Date.now() / 1000) - 10 },
      options.secret,
      {
        subject: claims.agent_id,
        issuer: "talk",
      },
    );
    expect(() => verifyToken(token, options)).toThrow(/expired/);
  });
  it("are refused when unsigned (alg none)", () => {
    const token = jwt.sign({ customer_id: claims.customer_id, username: "a" }, "", {
      algorithm: "none",
      subject: claims.agent_id,
      issuer: "talk",
    });
    expect(() => verifyToken(token, options)).toThrow(/not valid/);
  });
  it("once verified, are answered from memory until they expire, then refused", async () => {
    const exp = Math.floor(Date.now() / 1000) + 1;
    const token = jwt.sign(
      { customer_id: claims.customer_id, username: claims.username, permission: "agent", exp },
      options.secret,
      { subject: claims.agent_id, issuer: "talk" },
    );
    const first = verifyToken(token, options);
    expect(first).toEqual({ ...claims, permission: "agent" });
    expect(verifyToken(token, options)).toBe(first); // the same (frozen) claims: not verified again
    expect(Object.isFrozen(first)).toBe(true);
    // Under another secret or issuer the same token is checked afresh, and refused.
    expect(() => verifyToken(token, { secret: "another-secret-another-secret" })).toThrow(/not valid/);
    expect(() => verifyToken(token, { ...options, issuer: "someone-else" })).toThrow(/not valid/);
    while (Date.now() < exp * 1000) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(() => verifyToken(token, options)).toThrow(/expired/);
  });
  it("come from ?token= or a Bearer header", () => {
    expect(tokenFrom({ token: "abc" }, undefined)).toBe("abc");
    expect(tokenFrom({}, "Bearer xyz")).toBe("xyz");
    expect(tokenFrom({}, "Basic xyz")).toBeUndefined();
    expect(tokenFrom({ token: ["a", "b"] }, undefined)).toBeUndefined();
  });
});

describe("rotating the secret", () => {
  const old = "old-secret-old-secret-old-secret-old";
  const fresh = "new-secret-new-secret-new-secret-new";
  const rotating = { secret: { current: fresh, previous: old }, ttlSeconds: 60 };
  const header = (token: string) => jwt.decode(token, { complete: true })!.header;

  it("names the signing key in the token's kid, derived from the secret without revealing it", () => {
    const token = issueToken(claims, rotating);
    expect(header(token).kid).toBe(keyIdOf(fresh));
    expect(keyIdOf(fresh)).not.toBe(keyIdOf(old));
    expect(keyIdOf(fresh)).not.toContain("new-secret");
  });

  it("accepts a token signed with the previous secret until it expires", () => {
    const before = issueToken(claims, { secret: old, ttlSeconds: 60 });
    expect(verifyToken(before, rotating)).toEqual(claims);
    expect(verifyToken(issueToken(claims, rotating), rotating)).toEqual(claims);
  });

  it("refuses a token signed with a key the ring does not have (a retired or foreign kid)", () => {
    const retired = issueToken(claims, { secret: old, ttlSeconds: 60 });
    expect(() => verifyToken(retired, { secret: fresh })).toThrow(/not valid/);
    // A forged kid: the current key's id on a token signed with another secret.
    const forged = jwt.sign(
      { customer_id: claims.customer_id, username: "a" },
      "another-secret-another-secret-x",
      {
        subject: claims.agent_id,
        issuer: "talk",
        keyid: keyIdOf(fresh),
      },
    );
    expect(() => verifyToken(forged, rotating)).toThrow(/not valid/);
    const unknown = jwt.sign({ customer_id: claims.customer_id, username: "a" }, fresh, {
      subject: claims.agent_id,
      issuer: "talk",
      keyid: "no-such-key",
    });
    expect(() => verifyToken(unknown, rotating)).toThrow(/not valid/);
  });

  it("still accepts a token from before tokens named their key (no kid), signed with either secret", () => {
    const legacy = (secret: string) =>
      jwt.sign({ customer_id: claims.customer_id, username: claims.username, permission: "admin" }, secret, {
        subject: claims.agent_id,
        issuer: "talk",
        expiresIn: 60,
      });
    expect(verifyToken(legacy(old), rotating)).toEqual(claims);
    expect(verifyToken(legacy(fresh), rotating)).toEqual(claims);
    expect(() => verifyToken(legacy("a-third-secret-a-third-secret-x"), rotating)).toThrow(/not valid/);
  });
});
