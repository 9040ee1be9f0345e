/**
 * WebSocket clients for the fan-out, connections and drills: connect (with a bound on connections
 * being opened at once), subscribe and wait for the acknowledgement, and hand every frame to the
 * caller with the moment it was read (process.hrtime, comparable across processes on Linux).
 */
import WebSocket from "ws";

export interface Frame {
  type: string;
  id?: string | number;
  seq?: number;
  cursor?: string;
  topic?: string;
  data?: { id?: string; chat_id?: string; [key: string]: unknown };
  error?: { status: string; reason: string; message: string };
  [key: string]: unknown;
}

export type FrameHandler = (frame: Frame, at: bigint, raw: string) => void;

export class WsClient {
  private pending = new Map<string, { resolve(frame: Frame): void; reject(error: Error): void }>();
  private nextId = 1;
  onFrame: FrameHandler | undefined;
  /**
   * When set (and no subscribe is waiting for its answer), every frame goes here unparsed: a
   * reader of thousands of frames a second (the fan-out's holders) parses only what it needs.
   */
  onRaw: ((raw: string, at: bigint) => void) | undefined;
  closed = false;
  closeCode: number | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const at = process.hrtime.bigint();
      const raw = data.toString();
      if (this.onRaw && this.pending.size === 0) return this.onRaw(raw, at);
      const frame = JSON.parse(raw) as Frame;
      const waiter = frame.id !== undefined ? this.pending.get(String(frame.id)) : undefined;
      if (
        waiter &&
        (frame.type === "subscribed" || frame.type === "unsubscribed" || frame.type === "error")
      ) {
        this.pending.delete(String(frame.id));
        if (frame.type === "error")
          waiter.reject(new Error(`${frame.error?.reason}: ${frame.error?.message}`));
        else waiter.resolve(frame);
        return;
      }
      this.onFrame?.(frame, at, raw);
    });
    ws.on("close", (code) => {
      this.closed = true;
      this.closeCode = code;
      for (const waiter of this.pending.values()) waiter.reject(new Error(`closed (${code})`));
      this.pending.clear();
    });
    ws.on("error", () => undefined);
  }

  /** Opens `ws://…/v1.0/ws?token=…[&cursor=…]` (or any URL), from `localAddress` if given, and resolves once open. */
  static connect(url: string, timeoutMs = 15_000, localAddress?: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        perMessageDeflate: false,
        handshakeTimeout: timeoutMs,
        ...(localAddress && { localAddress }),
      });
      const client = new WsClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => reject(new Error(`upgrade refused: ${res.statusCode} ${body.slice(0, 200)}`)));
      });
      ws.once("error", reject);
    });
  }

  static pushUrl(baseUrl: string, token: string, cursor?: string): string {
    const url = new URL("/v1.0/ws", baseUrl.replace(/^http/, "ws"));
    url.searchParams.set("token", token);
    if (cursor) url.searchParams.set("cursor", cursor);
    return url.toString();
  }

  subscribe(topics: string[], timeoutMs = 15_000): Promise<Frame> {
    const id = `s${this.nextId++}`;
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error("no answer to subscribe"));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ type: "subscribe", topics, id }));
    });
  }

  close(): void {
    if (this.closed) return;
    this.ws.terminate();
  }
}

/** Runs `open` for 0…count-1 with at most `parallel` in flight; returns every result. */
export async function openMany<T>(
  count: number,
  parallel: number,
  open: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await open(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return results;
}
