/**
 * HTTP under the SDK: JSON in and out over the platform `fetch`, the token, an `Idempotency-Key` on
 * every write, and bounded retries of what is safe to retry — reads, and writes with their key,
 * after a network error, a timeout, a 503 or a 429 (waiting as long as `Retry-After` says).
 */
import { TalkApiError, TalkConnectionError } from "./errors";
import { newIdempotencyKey } from "./idempotency-key";

export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

export interface RetryPolicy {
  /** Attempts in all, the first included (default 4). */
  attempts: number;
  /** First backoff after a network error or an unannounced 503 (default 200 ms); doubles each time, with jitter. */
  baseDelayMs: number;
  /** The longest wait between attempts (default 10 s): a `Retry-After` longer than this is not waited for. */
  maxDelayMs: number;
}

export interface TransportOptions {
  /** Where the API is: `http://localhost:8080` (a trailing `/v1.0` is fine too); `""` for the page's own origin. */
  baseUrl: string;
  /** The platform fetch by default. */
  fetch?: FetchFunction;
  retry?: Partial<RetryPolicy>;
  /** How long one attempt may take before it is abandoned and retried (default 30 s). */
  timeoutMs?: number;
}

/** Per-call options of every method. */
export interface CallOptions {
  /** The key of a write; a fresh UUID by default. Pass your own to make a retry of yours take effect once too. */
  idempotencyKey?: string;
  /** Sent as `X-Request-Id`, to find the request in the server's logs. */
  requestId?: string;
  signal?: AbortSignal;
}

export type QueryValue = string | number | undefined;

export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Authenticated requests carry the token (default true). */
  auth?: boolean;
  /** Writes carry an Idempotency-Key (default: every method but GET). */
  idempotent?: boolean;
}

export interface TokenSource {
  token(): string | undefined;
  /** Called once when the API says the token expired; resolves true when a new token is in place. */
  renew?(): Promise<boolean>;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 200, maxDelayMs: 10_000 };

export class HttpTransport {
  readonly baseUrl: string;
  private readonly fetchFn: FetchFunction;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(
    options: TransportOptions,
    private readonly tokens: TokenSource = { token: () => undefined },
  ) {
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    const platformFetch: FetchFunction | undefined =
      typeof fetch === "function" ? fetch.bind(globalThis) : undefined;
    const fetchFn = options.fetch ?? platformFetch;
    if (!fetchFn) throw new Error("No fetch on this platform: pass one as the `fetch` option.");
    this.fetchFn = fetchFn;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async request<T>(request: HttpRequest, options: CallOptions = {}): Promise<T> {
    // Like fetch: a signal aborted before the call rejects it at once, with the signal's reason.
    options.signal?.throwIfAborted();
    const idempotent = request.idempotent ?? request.method !== "GET";
    const headers: Record<string, string> = { accept: "application/json" };
    if (request.body !== undefined) headers["content-type"] = "application/json";
    if (idempotent) headers["idempotency-key"] = options.idempotencyKey ?? newIdempotencyKey();
    if (options.requestId) headers["x-request-id"] = options.requestId;
    const url = `${this.baseUrl}/v1.0${request.path}${queryString(request.query)}`;
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    let renewed = false;

    for (let attempt = 1; ; attempt++) {
      const token = request.auth === false ? undefined : this.tokens.token();
      const init: RequestInit = {
        method: request.method,
        headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers,
        body,
      };
      let response: Response;
      try {
        response = await this.fetchOnce(url, init, options.signal);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        if (attempt >= this.retry.attempts)
          throw new TalkConnectionError(
            `${request.method} ${request.path} got no answer after ${attempt} attempts.`,
            error,
          );
        await sleep(this.backoff(attempt), options.signal);
        continue;
      }
      const parsed = await readJson(response);
      if (response.ok) {
        if (parsed.ok) return parsed.value as T;
        throw TalkApiError.fromResponse(
          response.status,
          undefined,
          response.headers.get("x-request-id") ?? undefined,
        );
      }
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
      const error = TalkApiError.fromResponse(
        response.status,
        parsed.ok ? parsed.value : undefined,
        response.headers.get("x-request-id") ?? undefined,
        retryAfterMs,
      );
      if (error.httpStatus === 401 && error.reason === "TOKEN_EXPIRED" && !renewed && this.tokens.renew) {
        renewed = true;
        if (await this.tokens.renew()) continue;
      }
      const retriable = error.httpStatus === 503 || error.httpStatus === 429;
      const delay = retryAfterMs ?? this.backoff(attempt);
      if (!retriable || attempt >= this.retry.attempts || delay > this.retry.maxDelayMs) throw error;
      await sleep(delay, options.signal);
    }
  }

  private async fetchOnce(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    const controller = new AbortController();
    const abort = () => controller.abort(signal?.reason);
    if (signal?.aborted) abort();
    else signal?.addEventListener("abort", abort, { once: true });
    const timer = setTimeout(
      () => controller.abort(new Error(`no answer within ${this.timeoutMs} ms`)),
      this.timeoutMs,
    );
    try {
      return await this.fetchFn(url, { ...init, signal: controller.signal });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", abort);
    }
  }

  /** Exponential backoff with "equal jitter": half the ceiling, plus up to as much again at random. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }
}

export function normalizeBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "").replace(/\/v1\.0$/, "");
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== "") params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function readJson(response: Response): Promise<{ ok: true; value: unknown } | { ok: false }> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return { ok: false };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
