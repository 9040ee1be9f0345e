/**
 * The byte path (docs/decisions/file-data-path.md): uploads and downloads as HTTP streams, reached
 * through the gateway, which proxies them. The caller's token is verified here again, so nothing
 * that reaches this port is trusted without one.
 */
import { pipeline } from "node:stream/promises";
import { type TokenSecret, tokenFrom, verifyToken } from "@talk/auth";
import {
  type Actor,
  AppError,
  ERROR_HTTP_STATUS,
  invalid,
  unauthenticated,
  uuid,
  validate,
} from "@talk/contracts";
import { clientErrorOfHttp, type Logger } from "@talk/kit";
import busboy from "busboy";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { contentDisposition } from "../domain/file-rules";
import type { FileService, UploadInput } from "../file-service";

function actorOf(req: Request, secret: TokenSecret): Actor {
  const token = tokenFrom(req.query, req.get("authorization"));
  if (!token) throw unauthenticated("TOKEN_MISSING", "Send a token as an Authorization: Bearer header.");
  const { customer_id, agent_id } = verifyToken(token, { secret });
  return { customer_id, agent_id };
}

const declaredSize = (req: Request) => {
  const header = req.get("content-length");
  return header && /^\d+$/.test(header) ? Number(header) : undefined;
};

/** The first `file` part of a multipart form, as an upload (other fields and parts are skipped). */
function multipartUpload(req: Request): Promise<UploadInput & { done: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 20 } });
    } catch {
      return reject(invalid("MULTIPART_INVALID", "The multipart/form-data body has no boundary."));
    }
    let found = false;
    const done = new Promise<void>((finish, fail) => {
      parser.on("close", () => finish());
      parser.on("error", (error) => fail(error));
    });
    done.catch(() => undefined); // awaited only after a successful upload
    parser.on("file", (field, stream, info) => {
      if (field !== "file" || found) return void stream.resume();
      found = true;
      resolve({
        name: info.filename,
        contentType: info.mimeType,
        body: stream.iterator({ destroyOnReturn: false }),
        done,
      });
    });
    parser.on("close", () => {
      if (!found) reject(invalid("FILE_MISSING", "The form has no part named file."));
    });
    parser.on("error", () => {
      if (!found) reject(invalid("MULTIPART_INVALID", "The multipart/form-data body is malformed."));
    });
    req.pipe(parser);
  });
}

export function byteRoutes(service: FileService, secret: TokenSecret, logger: Logger): Router {
  const router = express.Router();

  router.post("/v1.0/files", async (req, res) => {
    const actor = actorOf(req, secret);
    const size = declaredSize(req);
    const isForm = (req.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data");
    let file;
    if (isForm) {
      const upload = await multipartUpload(req);
      file = await service.upload(actor, { ...upload, declaredSize: size });
      await upload.done;
    } else {
      const name = typeof req.query.name === "string" ? req.query.name : undefined;
      file = await service.upload(actor, {
        name,
        contentType: req.get("content-type"),
        declaredSize: size,
        // Stopping early (413) must not destroy the request: its socket still has to answer.
        body: req.iterator({ destroyOnReturn: false }),
      });
    }
    res.json(file);
  });

  router.get("/v1.0/files/:id/content", async (req, res) => {
    const actor = actorOf(req, secret);
    const id = validate<string>(uuid, req.params.id, "path.id");
    const etag = (sha256: string) => `"${sha256}"`;
    const content = await service.content(actor, id, req.get("range"), req.get("x-request-id"));
    const { file, range, length, body } = content;
    res.setHeader("ETag", etag(file.sha256));
    res.setHeader("Accept-Ranges", "bytes");
    res.setHeader("Cache-Control", "private, max-age=31536000, immutable");
    if (req.get("if-none-match") === etag(file.sha256)) {
      body.destroy();
      return void res.status(304).end();
    }
    res.setHeader("Content-Type", file.content_type);
    res.setHeader("Content-Length", String(length));
    res.setHeader("Content-Disposition", contentDisposition(file.name));
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Content-Security-Policy", "sandbox; default-src 'none'");
    if (range) {
      res.status(206);
      res.setHeader("Content-Range", `bytes ${range.start}-${range.end}/${file.size}`);
    }
    if (req.method === "HEAD") return (void body.destroy(), void res.end());
    await pipeline(body, res).catch((error: unknown) => {
      logger.warn({ err: error, file_id: id }, "download ended early");
    });
  });

  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const clientError = error instanceof AppError ? error : clientErrorOfHttp(error);
    if (!clientError) logger.error({ err: error, path: req.path }, "unhandled error");
    const appError =
      clientError ??
      new AppError(
        "INTERNAL",
        "INTERNAL",
        "Something went wrong on our side; the request id helps us find it.",
      );
    if (appError.status === "RANGE_NOT_SATISFIABLE") res.setHeader("Content-Range", "bytes */*");
    if (res.headersSent) return void res.destroy();
    const answer = () =>
      res
        .status(ERROR_HTTP_STATUS[appError.status])
        .json({ error: { ...appError.toBody(), request_id: req.get("x-request-id") } });
    if (req.complete || req.destroyed) return void answer();
    // A refused upload is still arriving. Node closes a connection answered before its request
    // ended, and a proxy still sending then fails with EPIPE instead of reading the answer: so the
    // rest is read and dropped first (memory stays flat), then answered.
    req.unpipe();
    req.once("end", answer);
    req.resume();
  });
  return router;
}
