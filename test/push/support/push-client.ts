/**
 * A WebSocket client for the push tests (`ws`, real sockets): connects with a token (query or
 * header) and optionally a cursor, checks every frame it receives against the server frame schema,
 * and lets a test wait for frames, send anything, or cut the connection like a crashed client.
 */
import {
  type ErrorFrame,
  type EventFrame,
  type ServerFrame,
  compile,
  serverFrameSchema,
} from "@talk/contracts";
import { waitFor } from "@talk/testkit";
import WebSocket from "ws";

const isServerFrame = compile(serverFrameSchema);

export interface ConnectOptions {
  cursor?: string;
  /** How the token travels (default the query string). */
  tokenIn?: "query" | "header";
  /** False: never answer the server's pings, like a dead peer (default true). */
  autoPong?: boolean;
  /** The page the connection comes from, as a browser sends it (default none: not a browser). */
  origin?: string;
}

export class PushClient {
  readonly frames: ServerFrame[] = [];
  /** Frames that broke the schema (a test expects none). */
  readonly invalid: unknown[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data, binary) => {
      const frame: unknown = JSON.parse(data.toString());
      if (binary || !isServerFrame(frame)) this.invalid.push(frame);
      else this.frames.push(frame as ServerFrame);
    });
    this.closed = new Promise((resolve) =>
      ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on("error", () => undefined);
  }

  static async connect(baseUrl: string, token: string, options: ConnectOptions = {}): Promise<PushClient> {
    const url = new URL(`${baseUrl.replace(/^http/, "ws")}/v1.0/ws`);
    if (options.tokenIn !== "header") url.searchParams.set("token", token);
    if (options.cursor) url.searchParams.set("cursor", options.cursor);
    const ws = new WebSocket(url, {
      autoPong: options.autoPong ?? true,
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.tokenIn === "header" ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
    const client = new PushClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once("error", reject);
    });
    return client;
  }

  /** Event frames received, in order. */
  events(): EventFrame[] {
    return this.frames.filter((f): f is EventFrame => "seq" in f);
  }

  /** Events of one chat, as "type@seq". */
  chat(chatId: string): string[] {
    return this.events()
      .filter((f) => chatOf(f) === chatId)
      .map((f) => `${f.type}@${f.seq}`);
  }

  /** The cursor of the last event frame (or of the subscribe acknowledgement before any). */
  lastCursor(): string | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const frame = this.frames[i];
      if ("cursor" in frame && frame.type !== "resync_required") return frame.cursor;
    }
    return undefined;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  /** Sends a frame with a fresh id and resolves with the answer to it (acknowledgement or error). */
  async request(frame: { type: string; topics: unknown }): Promise<ServerFrame> {
    const id = `r${this.nextId++}`;
    this.send({ ...frame, id });
    return waitFor(() => this.frames.find((f) => "id" in f && f.id === id), {
      what: `the answer to ${frame.type} ${id}`,
    });
  }

  async subscribe(...topics: string[]): Promise<ServerFrame> {
    const answer = await this.request({ type: "subscribe", topics });
    if (answer.type !== "subscribed") throw new Error(`subscribe refused: ${JSON.stringify(answer)}`);
    return answer;
  }

  /** Waits until `probe` holds on the frames received. */
  until<T>(
    probe: (client: PushClient) => T | undefined | false,
    what: string,
    timeoutMs = 20_000,
  ): Promise<T> {
    return waitFor(() => probe(this), { what, timeoutMs });
  }

  errors(): ErrorFrame[] {
    return this.frames.filter((f): f is ErrorFrame => f.type === "error");
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.closed;
  }

  /** Cuts the connection without a closing handshake, as a crashed client would. */
  kill(): void {
    this.ws.terminate();
  }
}

export function chatOf(frame: EventFrame): string {
  const data = frame.data as { chat_id?: string; id: string };
  return data.chat_id ?? data.id;
}

/** Attempts an upgrade that should be refused; resolves with the HTTP status and body. */
export function refusedUpgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; requestId?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, "ws"), { headers });
    ws.once("open", () => {
      ws.terminate();
      reject(new Error("the upgrade was accepted"));
    });
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: body ? JSON.parse(body) : undefined,
          requestId: res.headers["x-request-id"] as string | undefined,
        }),
      );
    });
    ws.once("error", () => undefined);
  });
}
