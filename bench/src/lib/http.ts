/**
 * A small keep-alive HTTP client for load: node:http with one agent per load run (so sockets are
 * reused, as a real client's would be), JSON in and out, and a closed-loop load generator.
 */
import http from "node:http";
import { Samples, msSince } from "./stats";

export interface HttpReply {
  status: number;
  body: string;
}

export class HttpClient {
  readonly agent: http.Agent;
  private readonly url: URL;

  /**
   * `keepAlive: false` opens a connection per request: an open-loop load then never queues behind
   * the pool's sockets and never races the server closing an idle keep-alive socket.
   */
  constructor(
    baseUrl: string,
    maxSockets = 64,
    private readonly timeoutMs = 30_000,
    options: { keepAlive?: boolean } = {},
  ) {
    this.url = new URL(baseUrl);
    const keepAlive = options.keepAlive ?? true;
    this.agent = keepAlive
      ? new http.Agent({ keepAlive, maxSockets, maxFreeSockets: maxSockets })
      : new http.Agent({ keepAlive, maxSockets: Infinity });
  }

  request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpReply> {
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          agent: this.agent,
          headers: {
            ...(payload !== undefined
              ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
              : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
          );
          res.on("error", reject);
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  async json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const reply = await this.request(method, path, body, headers);
    if (reply.status !== 200)
      throw new Error(`${method} ${path}: ${reply.status} ${reply.body.slice(0, 300)}`);
    return JSON.parse(reply.body) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One request of a load run: `worker` is the worker's index, `i` its running count. */
export type Operation = (worker: number, i: number) => Promise<boolean>;

/**
 * Closed loop: `concurrency` workers each issue their next request when the previous one answered,
 * until `seconds` have passed. Returns every latency; a request that fails counts as an error.
 */
export async function closedLoop(
  concurrency: number,
  seconds: number,
  operation: Operation,
): Promise<Samples> {
  const samples = new Samples();
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(seconds * 1e9));
  const worker = async (w: number) => {
    for (let i = 0; process.hrtime.bigint() < deadline; i++) {
      const t0 = process.hrtime.bigint();
      let ok = false;
      try {
        ok = await operation(w, i);
      } catch {
        ok = false;
      }
      if (ok) samples.add(msSince(t0));
      else samples.errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  samples.seconds = msSince(started) / 1000;
  return samples;
}
