/**
 * Measures bytes while they pass: counts them, hashes them (SHA-256) and stops the upload with 413
 * as soon as it goes past the limit, before the extra bytes reach storage.
 */
import { createHash } from "node:crypto";
import { tooLarge } from "./file-rules";

export class UploadMeter {
  private readonly hash = createHash("sha256");
  size = 0;

  constructor(private readonly maxBytes: number) {}

  async *pass(source: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<Buffer> {
    for await (const piece of source) {
      const chunk =
        typeof piece === "string"
          ? Buffer.from(piece)
          : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      this.size += chunk.length;
      if (this.size > this.maxBytes) throw tooLarge(this.maxBytes);
      this.hash.update(chunk);
      yield chunk;
    }
  }

  sha256(): string {
    return this.hash.digest("hex");
  }
}
