/**
 * An HTTP request written over a raw socket in two parts: the head and the first part of the body
 * now, the rest when the test says. The server admits it on its head and then waits for the body,
 * so the test holds it in flight for as long as it likes, with no timer involved.
 */
import { type Socket, connect } from "node:net";

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class HeldRequest {
  private readonly socket: Socket;
  private readonly rest: string;
  readonly reply: Promise<RawReply>;

  /** Sends the head and `sentPart` (0 to 1) of `body`; `finish` sends the rest. */
  constructor(
    baseUrl: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string,
    sentPart = 0.5,
  ) {
    const url = new URL(baseUrl);
    const bytes = Buffer.from(body);
    const cut = Math.floor(bytes.length * sentPart);
    this.rest = bytes.subarray(cut).toString("latin1");
    this.socket = connect(Number(url.port), url.hostname);
    const head = [
      `${method} ${path} HTTP/1.1`,
      `Host: ${url.host}`,
      ...Object.entries({ ...headers, "Content-Length": String(bytes.length), Connection: "close" }).map(
        ([name, value]) => `${name}: ${value}`,
      ),
      "",
      "",
    ].join("\r\n");
    this.socket.write(Buffer.concat([Buffer.from(head), bytes.subarray(0, cut)]));
    this.reply = new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      this.socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      this.socket.on("error", reject);
      this.socket.on("close", () => {
        try {
          resolve(parse(Buffer.concat(chunks).toString("utf8")));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  /** Sends the rest of the body. */
  finish(): Promise<RawReply> {
    this.socket.write(Buffer.from(this.rest, "latin1"));
    return this.reply;
  }
}

function parse(text: string): RawReply {
  const at = text.indexOf("\r\n\r\n");
  if (at < 0) throw new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, at).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(at + 4);
  if (headers["transfer-encoding"] === "chunked") body = unchunk(body);
  return { status: Number(statusLine.split(" ")[1]), headers, body };
}

function unchunk(text: string): string {
  let out = "";
  let rest = text;
  for (;;) {
    const eol = rest.indexOf("\r\n");
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}
