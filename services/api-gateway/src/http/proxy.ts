/**
 * Streams a request to file-manager and its answer back (docs/decisions/file-data-path.md): bytes
 * flow through with Node's stream backpressure, so an upload or a download of any size holds only
 * a few socket buffers here. Replicas are taken in turn; the caller's verified token goes along.
 */
import http from "node:http";
import type { NextFunction, Request, Response } from "express";
import { unavailable } from "@talk/contracts";
import { tokenFrom } from "@talk/auth";

const FORWARDED_REQUEST_HEADERS = [
  "content-type",
  "content-length",
  "transfer-encoding",
  "range",
  "if-none-match",
  "accept",
];
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

export function proxyTo(upstreams: readonly string[]) {
  if (upstreams.length === 0) throw new Error("no file-manager URL configured");
  const targets = upstreams.map((url) => new URL(url));
  // One connection per transfer: a kept-alive socket that file-manager closes as it is reused
  // fails a request whose body cannot be sent again, and a handshake is nothing next to a file.
  const agent = new http.Agent({ keepAlive: false });
  let turn = 0;
  return (req: Request, res: Response, next: NextFunction): void => {
    const target = targets[turn++ % targets.length];
    const headers: http.OutgoingHttpHeaders = { "x-request-id": req.requestId };
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    const token = tokenFrom(req.query, req.get("authorization"));
    if (token) headers.authorization = `Bearer ${token}`;
    const upstream = http.request({
      agent,
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.originalUrl,
      headers,
    });
    upstream.on("response", (answer) => {
      for (const [name, value] of Object.entries(answer.headers))
        if (value !== undefined && !HOP_BY_HOP.has(name)) res.setHeader(name, value);
      res.status(answer.statusCode ?? 502);
      // An upload refused before its end keeps flowing: file-manager discards the rest, and the
      // client, which may not read an answer before it has sent everything, gets it then.
      answer.pipe(res);
      answer.on("error", () => res.destroy());
    });
    upstream.on("error", () => {
      if (res.headersSent) return void res.destroy();
      if (!req.complete) {
        res.setHeader("Connection", "close");
        req.resume();
      }
      next(unavailable("FILE_MANAGER_UNAVAILABLE", "The file service could not be reached; try again."));
    });
    req.on("aborted", () => upstream.destroy());
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };
}
