/** file-manager's operations: upload, metadata, content, delete, attach to messages, sweep. */
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { type Actor, AppError, type FileInfo, type FileState, forbidden, notFound } from "@talk/contracts";
import type { Logger } from "@talk/kit";
import {
  type ByteRange,
  attachState,
  cleanContentType,
  cleanName,
  isDeleted,
  parseRange,
  readAccess,
  tooLarge,
} from "./domain/file-rules";
import { UploadMeter } from "./domain/upload-meter";
import type { FileMetrics } from "./metrics";
import type { FileStorage } from "./storage/file-storage";
import type { FileStore } from "./store/file-store";

/** message-manager's knowledge: is a live message referencing the file in a chat the agent is in? */
export interface ReferenceAuthority {
  mayRead(actor: Actor, fileId: string, requestId?: string): Promise<boolean>;
  /** Marks the file's medias deleted in the messages that attach it (idempotent). */
  fileDeleted(customerId: string, fileId: string, requestId?: string): Promise<void>;
}

/** One file a send attaches, named with the sender's customer, and what it is. */
export interface AttachAnswer {
  customer_id: string;
  file_id: string;
  state: FileState;
  file?: FileInfo;
}

export interface UploadInput {
  name: string | undefined;
  contentType: string | undefined;
  /** Content-Length when the client sent one: refused at once when over the limit. */
  declaredSize?: number;
  body: AsyncIterable<Buffer | Uint8Array | string>;
}

export interface Content {
  file: FileInfo;
  range?: ByteRange;
  length: number;
  body: Readable;
}

export interface FileServiceOptions {
  maxBytes: number;
  unreferencedTtlSeconds: number;
  uploadStaleSeconds: number;
}

const fileNotFound = (id: string) =>
  notFound("FILE_NOT_FOUND", `No file ${id} exists, or you may not see it.`);

export class FileService {
  constructor(
    private readonly store: FileStore,
    private readonly storage: FileStorage,
    private readonly references: ReferenceAuthority,
    private readonly options: FileServiceOptions,
    private readonly logger: Logger,
    private readonly metrics?: FileMetrics,
  ) {}

  async upload(actor: Actor, input: UploadInput): Promise<FileInfo> {
    const name = cleanName(input.name);
    const contentType = cleanContentType(input.contentType);
    if (input.declaredSize !== undefined && input.declaredSize > this.options.maxBytes)
      throw tooLarge(this.options.maxBytes);
    const id = randomUUID();
    await this.store.begin({
      id,
      customer_id: actor.customer_id,
      owner_id: actor.agent_id,
      name,
      content_type: contentType,
      storage: this.storage.kind,
    });
    const meter = new UploadMeter(this.options.maxBytes);
    try {
      await this.storage.write(id, meter.pass(input.body));
    } catch (error) {
      await this.storage
        .remove(id)
        .catch((err: unknown) => this.logger.warn({ err, file_id: id }, "could not remove a failed upload"));
      await this.store.discard(id);
      this.metrics?.uploads.inc({ outcome: error instanceof AppError ? error.reason : "failed" });
      throw error;
    }
    const file = await this.store.complete(id, meter.size, meter.sha256());
    this.metrics?.uploads.inc({ outcome: "ok" });
    this.metrics?.bytes.inc({ direction: "upload" }, file.size);
    return file;
  }

  /** The file if the actor may read it (deleted ones too), else FILE_NOT_FOUND. */
  async get(actor: Actor, id: string, requestId?: string): Promise<FileInfo> {
    const file = await this.store.get(id);
    if (!file) throw fileNotFound(id);
    const access = readAccess(file, actor);
    if (access === "hidden") throw fileNotFound(id);
    if (access === "ask" && !(await this.references.mayRead(actor, id, requestId))) throw fileNotFound(id);
    return file;
  }

  async content(actor: Actor, id: string, rangeHeader?: string, requestId?: string): Promise<Content> {
    const file = await this.get(actor, id, requestId);
    if (isDeleted(file)) throw notFound("FILE_DELETED", `The file ${id} was deleted.`);
    const range = parseRange(rangeHeader, file.size);
    if (range === "unsatisfiable")
      throw new AppError(
        "RANGE_NOT_SATISFIABLE",
        "RANGE_NOT_SATISFIABLE",
        `The range "${rangeHeader}" is outside the file's ${file.size} bytes.`,
      );
    const length = range ? range.end - range.start + 1 : file.size;
    this.metrics?.bytes.inc({ direction: "download" }, length);
    return { file, range, length, body: this.storage.read(id, file.size, range) };
  }

  /**
   * The uploader deletes a file: it stays listed (deleted), the messages that attach it show it
   * deleted, and its bytes go. Answered once all three happened; a retry finishes what a failure left.
   */
  async delete(actor: Actor, id: string, requestId?: string): Promise<FileInfo> {
    const file = await this.get(actor, id, requestId);
    if (file.owner_id !== actor.agent_id)
      throw forbidden("NOT_FILE_OWNER", "Only the agent who uploaded a file may delete it.");
    const deleted = isDeleted(file) ? file : await this.store.softDelete(id);
    if (!deleted) throw fileNotFound(id);
    await this.references.fileDeleted(deleted.customer_id, id, requestId);
    await this.storage.remove(id);
    return deleted;
  }

  /** The files sends attach, each with its state; the ready ones are marked attached. */
  async attach(refs: { customer_id: string; file_id: string }[]): Promise<AttachAnswer[]> {
    const found = await this.store.findAny([...new Set(refs.map((ref) => ref.file_id))]);
    const answers = refs.map((ref): AttachAnswer => {
      const file = found.get(ref.file_id);
      const state = attachState(file, ref.customer_id);
      if (state !== "ready" || !file) return { ...ref, state };
      const { uploading: _uploading, ...info } = file;
      return { ...ref, state, file: info };
    });
    await this.store.markAttached(answers.flatMap((answer) => (answer.file ? [answer.file_id] : [])));
    return answers;
  }

  /** Removes uploads never attached after their time, and uploads that never finished. */
  async sweep(): Promise<number> {
    let removed = 0;
    for (;;) {
      const expired = await this.store.takeExpired(
        this.options.unreferencedTtlSeconds,
        this.options.uploadStaleSeconds,
      );
      for (const { id } of expired) await this.storage.remove(id);
      removed += expired.length;
      if (expired.length === 0) break;
    }
    if (removed > 0) this.logger.info({ removed }, "removed expired uploads");
    return removed;
  }
}
