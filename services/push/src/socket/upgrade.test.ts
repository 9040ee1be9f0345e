import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { issueToken } from "@talk/auth";
import { encodeCursor } from "../domain/cursor";
import { admit } from "./upgrade";

const secret = "x".repeat(32);
const agentId = randomUUID();
const customerId = randomUUID();
const token = issueToken(
  { agent_id: agentId, customer_id: customerId, username: "bob", permission: "agent" },
  { secret, ttlSeconds: 60 },
);
const rules = { jwtSecret: secret, allowedOrigins: ["https://app.example.com"] };
const request = (url: string, authorization?: string, headers: Record<string, string> = {}) =>
  ({ url, headers: { ...headers, ...(authorization ? { authorization } : {}) } }) as IncomingMessage;

describe("admitting an upgrade", () => {
  it("takes the token from the query or the Authorization header, with its expiry", () => {
    const before = Date.now();
    const admitted = admit(request(`/v1.0/ws?token=${token}`), rules);
    expect(admitted.viewer).toEqual({ agentId, customerId, admin: false });
    expect(admitted.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 59_000);
    expect(admit(request("/v1.0/ws", `Bearer ${token}`), rules).viewer.agentId).toBe(agentId);
  });

  it("reads a resume cursor", () => {
    const cursor = { offset: 12, tag: "abcdef01" };
    expect(
      admit(request(`/v1.0/ws?token=${token}&cursor=${encodeCursor(cursor)}`), rules).resumeFrom,
    ).toEqual(cursor);
  });

  it.each([
    ["/v1.0/ws", "UNAUTHENTICATED", "TOKEN_MISSING"],
    ["/v1.0/ws?token=abc", "UNAUTHENTICATED", "TOKEN_INVALID"],
    [
      `/v1.0/ws?token=${issueToken({ agent_id: agentId, customer_id: customerId, username: "bob", permission: "agent" }, { secret: "y".repeat(32), ttlSeconds: 60 })}`,
      "UNAUTHENTICATED",
      "TOKEN_INVALID",
    ],
    [`/v1.0/ws?token=${token}&cursor=nope!`, "INVALID_ARGUMENT", "CURSOR_MALFORMED"],
    [`/v1.0/other?token=${token}`, "NOT_FOUND", "NOT_FOUND"],
  ])("refuses %s", (url, status, reason) => {
    expect(() => admit(request(url), rules)).toThrow(expect.objectContaining({ status, reason }));
  });

  describe("from a browser page", () => {
    const fromPage = (origin: string, host = "push.internal:8080") =>
      admit(request(`/v1.0/ws?token=${token}`, undefined, { origin, host }), rules);

    it("admits an allowed origin and the service's own", () => {
      expect(fromPage("https://app.example.com").viewer.agentId).toBe(agentId);
      expect(fromPage("https://talk.example.com", "talk.example.com").viewer.agentId).toBe(agentId);
    });
    it("refuses any other origin with 403 ORIGIN_NOT_ALLOWED, before looking at the token", () => {
      expect(() => fromPage("https://evil.example.com")).toThrow(
        expect.objectContaining({ status: "PERMISSION_DENIED", reason: "ORIGIN_NOT_ALLOWED" }),
      );
      expect(() =>
        admit(request("/v1.0/ws", undefined, { origin: "https://evil.example.com" }), rules),
      ).toThrow(expect.objectContaining({ reason: "ORIGIN_NOT_ALLOWED" }));
    });
    it("admits any origin when * is allowed", () => {
      const any = admit(request(`/v1.0/ws?token=${token}`, undefined, { origin: "https://x.example" }), {
        jwtSecret: secret,
        allowedOrigins: ["*"],
      });
      expect(any.viewer.agentId).toBe(agentId);
    });
  });
});
