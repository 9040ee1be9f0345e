/**
 * `client.files`: uploads streamed to the API with progress, downloads as streams (with a byte
 * range), metadata and delete. Uploads are not retried (a body stream cannot be sent twice).
 */
import type { FileInfo } from "@talk/contracts";
import { routeTarget as to } from "@talk/contracts/routes";
import { TalkApiError, TalkConnectionError } from "./errors";
import type { CallOptions, HttpTransport } from "./transport";

/** The part of the browser's XMLHttpRequest used here (the SDK compiles without the DOM library). */
interface Xhr {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  upload: { onprogress: ((event: { loaded: number }) => void) | null };
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  onload: (() => void) | null;
  status: number;
  responseText: string;
  getResponseHeader(name: string): string | null;
  abort(): void;
  send(body: Blob): void;
}
const XhrClass = (globalThis as { XMLHttpRequest?: new () => Xhr }).XMLHttpRequest;

export type UploadSource = Blob | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export interface UploadOptions {
  /** The file's name (required). */
  name: string;
  /** Its media type (default: the Blob's type, else application/octet-stream). */
  contentType?: string;
  /** Called as bytes are handed to the network: bytes so far, and the total when known. */
  onProgress?(sent: number, total: number | undefined): void;
  signal?: AbortSignal;
}

export interface Download {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  /** Bytes in `body` (the range's, for a range). */
  size: number;
  /** The file's SHA-256 (its ETag). */
  sha256: string;
  /** For a range: where it is, e.g. "bytes 0-1023/48213". */
  contentRange?: string;
}

function toStream(source: UploadSource): ReadableStream<Uint8Array> {
  if (typeof Blob !== "undefined" && source instanceof Blob) return source.stream();
  if (source instanceof Uint8Array)
    return new ReadableStream({
      start(controller) {
        controller.enqueue(source);
        controller.close();
      },
    });
  if (source instanceof ReadableStream) return source;
  const iterator = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
  });
}

/** Counts the bytes fetch pulls out of a stream. */
function counted(
  stream: ReadableStream<Uint8Array>,
  onBytes: (n: number) => void,
): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      onBytes(value.byteLength);
      controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

export class FilesApi {
  constructor(
    private readonly http: HttpTransport,
    private readonly token: () => string,
    private readonly fetchFn: (input: string, init: RequestInit) => Promise<Response>,
  ) {}

  /** Uploads a file; resolves with its metadata (id, size, sha256, …). */
  async upload(source: UploadSource, options: UploadOptions): Promise<FileInfo> {
    const isBlob = typeof Blob !== "undefined" && source instanceof Blob;
    const total = isBlob ? source.size : source instanceof Uint8Array ? source.byteLength : undefined;
    const contentType = options.contentType || (isBlob && source.type) || "application/octet-stream";
    const url = `${this.http.baseUrl}/v1.0${to("uploadFile").path}?name=${encodeURIComponent(options.name)}`;
    const headers = { authorization: `Bearer ${this.token()}`, "content-type": contentType };
    // Browsers stream request bodies only over HTTP/2; XMLHttpRequest sends a Blob anywhere, with progress.
    if (isBlob && XhrClass) return this.uploadWithXhr(XhrClass, url, headers, source, options);
    let sent = 0;
    const body = counted(toStream(source), (n) => {
      sent += n;
      options.onProgress?.(sent, total);
    });
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method: "POST",
        headers,
        body,
        signal: options.signal,
        duplex: "half",
      } as RequestInit);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new TalkConnectionError(`POST /files got no answer.`, error);
    }
    return (await answer(response)).json() as Promise<FileInfo>;
  }

  private uploadWithXhr(
    XhrClass: new () => Xhr,
    url: string,
    headers: Record<string, string>,
    blob: Blob,
    options: UploadOptions,
  ): Promise<FileInfo> {
    return new Promise((resolve, reject) => {
      const xhr = new XhrClass();
      xhr.open("POST", url);
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (event) => options.onProgress?.(event.loaded, blob.size);
      xhr.onerror = () => reject(new TalkConnectionError("POST /files got no answer.", undefined));
      xhr.onabort = () => reject(options.signal?.reason ?? new Error("upload aborted"));
      xhr.onload = () => {
        let body: unknown;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = undefined;
        }
        if (xhr.status === 200) resolve(body as FileInfo);
        else
          reject(
            TalkApiError.fromResponse(xhr.status, body, xhr.getResponseHeader("x-request-id") ?? undefined),
          );
      };
      options.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
      xhr.send(blob);
    });
  }

  /** The bytes of a file (or of `range`, e.g. `{ start: 0, end: 1023 }`), as a stream. */
  async download(
    fileId: string,
    options: { range?: { start: number; end?: number }; signal?: AbortSignal } = {},
  ) {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token()}` };
    if (options.range) headers.range = `bytes=${options.range.start}-${options.range.end ?? ""}`;
    let response: Response;
    try {
      response = await this.fetchFn(this.contentPath(fileId), {
        headers,
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new TalkConnectionError(`GET /files/${fileId}/content got no answer.`, error);
    }
    await answer(response);
    const download: Download = {
      body: response.body ?? new ReadableStream({ start: (c) => c.close() }),
      contentType: response.headers.get("content-type") ?? "application/octet-stream",
      size: Number(response.headers.get("content-length") ?? 0),
      sha256: (response.headers.get("etag") ?? "").replace(/"/g, ""),
      contentRange: response.headers.get("content-range") ?? undefined,
    };
    return download;
  }

  /** A URL for `<img src>` or a download link: it carries the token, so keep it to this agent. */
  contentUrl(fileId: string): string {
    return `${this.contentPath(fileId)}?token=${encodeURIComponent(this.token())}`;
  }

  /** The file's metadata (its uploader, or a participant of a chat where a live message attaches it). */
  get(fileId: string, options?: CallOptions): Promise<FileInfo> {
    return this.http.request(to("getFile", { id: fileId }), options);
  }

  /** Deletes my upload (it stays listed with tm_delete set; messages show it as deleted). */
  delete(fileId: string, options?: CallOptions): Promise<FileInfo> {
    return this.http.request(to("deleteFile", { id: fileId }), options);
  }

  private contentPath(fileId: string): string {
    return `${this.http.baseUrl}/v1.0${to("downloadFile", { id: fileId }).path}`;
  }
}

/** The response when it is a success, else the API's error as a TalkApiError. */
async function answer(response: Response): Promise<Response> {
  if (response.ok) return response;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  throw TalkApiError.fromResponse(response.status, body, response.headers.get("x-request-id") ?? undefined);
}
