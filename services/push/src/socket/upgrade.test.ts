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
const request = (url: string, authorization?: string) =>
  ({ url, headers: authorization ? { authorization } : {} }) as IncomingMessage;

describe("admitting an upgrade", () => {
  it("takes the token from the query or the Authorization header, with its expiry", () => {
    const before = Date.now();
    const admitted = admit(request(`/v1.0/ws?token=${token}`), secret);
    expect(admitted.viewer).toEqual({ agentId, customerId, admin: false });
    expect(admitted.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 59_000);
    expect(admit(request("/v1.0/ws", `Bearer ${token}`), secret).viewer.agentId).toBe(agentId);
  });

  it("reads a resume cursor", () => {
    const cursor = { offset: 12, tag: "abcdef01" };
    expect(
      admit(request(`/v1.0/ws?token=${token}&cursor=${encodeCursor(cursor)}`), secret).resumeFrom,
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
    expect(() => admit(request(url), secret)).toThrow(expect.objectContaining({ status, reason }));
  });
});
