/**
 * Bytes as chunk rows (256 KiB `bytea` each) in the service's own database: written one chunk at a
 * time as the upload arrives, read one chunk at a time as the download drains, so memory holds a
 * chunk or two, whatever the file's size. Works on PostgreSQL and on PGlite (embedded mode).
 */
import { Readable } from "node:stream";
import type { Knex } from "knex";
import type { ByteRange } from "../domain/file-rules";
import type { FileStorage } from "./file-storage";

export const CHUNK_BYTES = 256 * 1024;

const asBuffer = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

export class PostgresStorage implements FileStorage {
  readonly kind = "postgres";

  constructor(private readonly db: Knex) {}

  async write(fileId: string, source: AsyncIterable<Buffer>): Promise<void> {
    let index = 0;
    let pending: Buffer[] = [];
    let length = 0;
    const flush = async (data: Buffer) => {
      await this.db("file_chunks").insert({ file_id: fileId, idx: index++, data });
    };
    for await (const piece of source) {
      pending.push(piece);
      length += piece.length;
      while (length >= CHUNK_BYTES) {
        const joined = Buffer.concat(pending, length);
        await flush(joined.subarray(0, CHUNK_BYTES));
        const rest = Buffer.from(joined.subarray(CHUNK_BYTES));
        pending = [rest];
        length = rest.length;
      }
    }
    if (length > 0) await flush(Buffer.concat(pending, length));
  }

  read(fileId: string, size: number, range: ByteRange = { start: 0, end: size - 1 }): Readable {
    const db = this.db;
    async function* chunks() {
      if (size === 0) return;
      const first = Math.floor(range.start / CHUNK_BYTES);
      const last = Math.floor(range.end / CHUNK_BYTES);
      for (let idx = first; idx <= last; idx++) {
        const row: { data: Uint8Array } | undefined = await db("file_chunks")
          .where({ file_id: fileId, idx })
          .first("data");
        if (!row) throw new Error(`chunk ${idx} of file ${fileId} is missing`);
        const base = idx * CHUNK_BYTES;
        const from = Math.max(range.start - base, 0);
        const to = Math.min(range.end - base + 1, row.data.byteLength);
        yield asBuffer(row.data).subarray(from, to);
      }
    }
    return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
  }

  async remove(fileId: string): Promise<void> {
    await this.db("file_chunks").where({ file_id: fileId }).delete();
  }
}
