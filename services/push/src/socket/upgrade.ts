/**
 * Who may open a WebSocket: the HTTP upgrade request must be for `/v1.0/ws`, come from no page
 * (no `Origin`: a server, a script), a page of the same origin, or one of the allowed origins
 * (`CORS_ALLOWED_ORIGINS`, as for the API), and carry a valid access token (`?token=` or
 * `Authorization: Bearer`); a `?cursor=` must be one this service issued. A refused upgrade gets a plain HTTP answer with the API's error body before any
 * WebSocket exists.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type TokenSecret, tokenFrom, verifyToken } from "@talk/auth";
import {
  AppError,
  ERROR_HTTP_STATUS,
  PUSH_PATH,
  forbidden,
  invalid,
  notFound,
  unauthenticated,
} from "@talk/contracts";
import { allowsOrigin } from "@talk/kit";
import { type Cursor, decodeCursor } from "../domain/cursor";
import type { Viewer } from "../domain/topics";

export interface Admission {
  viewer: Viewer;
  resumeFrom?: Cursor;
  /** When the token expires (epoch ms), if it says. */
  expiresAt?: number;
}

export interface AdmissionRules {
  jwtSecret: TokenSecret;
  /** Browser origins allowed besides the service's own (`*`: any). */
  allowedOrigins: readonly string[];
}

/** The viewer (and resume point) of an upgrade request; throws the AppError to answer with. */
export function admit(request: IncomingMessage, { jwtSecret, allowedOrigins }: AdmissionRules): Admission {
  const url = new URL(request.url ?? "/", "http://push.invalid");
  if (url.pathname !== PUSH_PATH)
    throw notFound("NOT_FOUND", `No WebSocket is served at ${url.pathname}; use ${PUSH_PATH}.`);
  const origin = request.headers.origin;
  if (
    origin !== undefined &&
    !sameOrigin(origin, request.headers.host) &&
    !allowsOrigin(allowedOrigins, origin)
  )
    throw forbidden(
      "ORIGIN_NOT_ALLOWED",
      `Pages from ${origin} may not open this WebSocket; its operator can allow the origin in CORS_ALLOWED_ORIGINS.`,
    );
  const token = tokenFrom(Object.fromEntries(url.searchParams), request.headers.authorization);
  if (!token)
    throw unauthenticated(
      "TOKEN_MISSING",
      "Send your access token as ?token= or an Authorization: Bearer header.",
    );
  const claims = verifyToken(token, { secret: jwtSecret });
  const viewer: Viewer = {
    agentId: claims.agent_id,
    customerId: claims.customer_id,
    admin: claims.permission === "admin",
  };
  const expiresAt = expiryOf(token);
  const admission: Admission = { viewer, ...(expiresAt ? { expiresAt } : {}) };
  const text = url.searchParams.get("cursor");
  if (text === null) return admission;
  const resumeFrom = decodeCursor(text);
  if (!resumeFrom)
    throw invalid(
      "CURSOR_MALFORMED",
      "The cursor is not one this service gave: pass the cursor of the last frame you received.",
    );
  return { ...admission, resumeFrom };
}

/** A page served by this host itself (the console): its origin names the host the request went to. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** The `exp` of a token already verified (so its payload can be read as is), in epoch ms. */
function expiryOf(token: string): number | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    const exp =
      typeof payload === "object" && payload !== null ? (payload as { exp?: unknown }).exp : undefined;
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** Answers an upgrade request with an HTTP error and closes the socket. */
export function refuseUpgrade(socket: Duplex, error: AppError, requestId: string): void {
  const status = ERROR_HTTP_STATUS[error.status];
  const body = JSON.stringify({ error: { ...error.toBody(), request_id: requestId } });
  const reason = STATUS_TEXT[status] ?? "Error";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.once("finish", () => socket.destroy());
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  503: "Service Unavailable",
};
