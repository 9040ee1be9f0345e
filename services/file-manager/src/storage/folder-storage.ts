/**
 * Bytes as one file per upload in a folder on local disk: what embedded mode uses (PGlite's bytea
 * path runs at a few MB/s; the disk at its own speed). Written under a temporary name and renamed
 * when complete, so a crash leaves only a `.part` file, which the sweeper's remove also clears.
 */
import { createReadStream, createWriteStream, mkdirSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ByteRange } from "../domain/file-rules";
import type { FileStorage } from "./file-storage";

export class FolderStorage implements FileStorage {
  readonly kind = "folder";

  constructor(private readonly folder: string) {
    mkdirSync(folder, { recursive: true });
  }

  private path(fileId: string): string {
    return join(this.folder, fileId);
  }

  async write(fileId: string, source: AsyncIterable<Buffer>): Promise<void> {
    const partial = `${this.path(fileId)}.part`;
    await pipeline(Readable.from(source), createWriteStream(partial));
    await rename(partial, this.path(fileId));
  }

  read(fileId: string, size: number, range?: ByteRange): Readable {
    if (size === 0) return Readable.from([]);
    return createReadStream(this.path(fileId), range ? { start: range.start, end: range.end } : {});
  }

  async remove(fileId: string): Promise<void> {
    await rm(this.path(fileId), { force: true });
    await rm(`${this.path(fileId)}.part`, { force: true });
  }
}
