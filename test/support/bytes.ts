/** Test bytes: deterministic content of any size, streamed without holding it, and hashing. */
import { createHash } from "node:crypto";

const PIECE = 64 * 1024;

/** `size` bytes of a pattern that differs per piece, as a web stream (pulled: nothing piles up). */
export function patternStream(size: number, seed = 1): ReadableStream<Uint8Array> {
  let sent = 0;
  let piece = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      const length = Math.min(PIECE, size - sent);
      const chunk = Buffer.alloc(length, (seed * 31 + piece++) % 251);
      for (let i = 0; i < length; i += 4096) chunk[i] = (i / 4096 + piece) % 256;
      sent += length;
      controller.enqueue(chunk);
    },
  });
}

/** The SHA-256 (hex) and size of a stream, read to the end without keeping it. */
export async function digestStream(
  stream: ReadableStream<Uint8Array> | null,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  if (stream)
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      size += chunk.byteLength;
    }
  return { sha256: hash.digest("hex"), size };
}

export const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");
