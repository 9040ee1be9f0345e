/**
 * Where a file's bytes live, behind one interface: the service's own PostgreSQL (chunked rows, the
 * default), an S3-compatible object store, or a local folder (embedded mode). All stream: none holds
 * a whole file in memory.
 */
import type { Readable } from "node:stream";
import type { ByteRange } from "../domain/file-rules";

export interface FileStorage {
  readonly kind: "postgres" | "s3" | "folder";
  /** Consumes `source` into the file's bytes; on failure what was written may remain (see remove). */
  write(fileId: string, source: AsyncIterable<Buffer>): Promise<void>;
  /** The bytes of a stored file (size known from its metadata), or of a range of it. */
  read(fileId: string, size: number, range?: ByteRange): Readable;
  /** Removes the bytes (idempotent: nothing there is fine). */
  remove(fileId: string): Promise<void>;
}
