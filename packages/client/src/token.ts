/**
 * What an access token says about its agent. The token is a JWT the API signed; the SDK reads its
 * payload (without verifying it: only the API can, and does on every request) to know who it is
 * acting as, e.g. for the `agent_id:<me>:chat` topic.
 */
export interface TokenIdentity {
  agentId: string;
  customerId: string;
  username: string;
  permission: "agent" | "admin";
  /** When the token expires (ms since the epoch), if it says. */
  expiresAt?: number;
}

export function readToken(token: string): TokenIdentity {
  const part = token.split(".")[1];
  if (!part) throw new Error("The token is not a JWT.");
  let payload: unknown;
  try {
    payload = JSON.parse(decodeBase64Url(part));
  } catch {
    throw new Error("The token's payload is not JSON.");
  }
  if (!payload || typeof payload !== "object") throw new Error("The token's payload is not an object.");
  const { sub, customer_id, username, permission, exp } = payload as Record<string, unknown>;
  if (typeof sub !== "string" || typeof customer_id !== "string" || typeof username !== "string")
    throw new Error("The token does not name an agent.");
  return {
    agentId: sub,
    customerId: customer_id,
    username,
    permission: permission === "admin" ? "admin" : "agent",
    expiresAt: typeof exp === "number" ? exp * 1000 : undefined,
  };
}

function decodeBase64Url(text: string): string {
  const base64 = text
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(text.length / 4) * 4, "=");
  const binary = atob(base64);
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}
