import jwt from "jsonwebtoken";
import { issueToken, tokenFrom, verifyToken } from "./index";

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
  it("come from ?token= or a Bearer header", () => {
    expect(tokenFrom({ token: "abc" }, undefined)).toBe("abc");
    expect(tokenFrom({}, "Bearer xyz")).toBe("xyz");
    expect(tokenFrom({}, "Basic xyz")).toBeUndefined();
    expect(tokenFrom({ token: ["a", "b"] }, undefined)).toBeUndefined();
  });
});
