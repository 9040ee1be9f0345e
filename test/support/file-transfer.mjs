// A file transfer run as its own process, so a test measuring the stack's memory does not count the
// client's: `node file-transfer.mjs upload <url> <token> <size> <seed>` streams `size` pattern bytes
// (the same as bytes.ts's patternStream) and prints the answer; `download <url> <token>` prints the
// body's sha256 and size. Output: one JSON line.
import { createHash } from "node:crypto";

const [mode, url, token, size, seed] = process.argv.slice(2);
const PIECE = 64 * 1024;

function patternStream(total, seedValue) {
  let sent = 0;
  let piece = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const length = Math.min(PIECE, total - sent);
      const chunk = Buffer.alloc(length, (seedValue * 31 + piece++) % 251);
      for (let i = 0; i < length; i += 4096) chunk[i] = (i / 4096 + piece) % 256;
      sent += length;
      controller.enqueue(chunk);
    },
  });
}

if (mode === "upload") {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body: patternStream(Number(size), Number(seed)),
    duplex: "half",
  });
  process.stdout.write(JSON.stringify({ status: res.status, body: await res.json() }) + "\n");
} else {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const hash = createHash("sha256");
  let length = 0;
  for await (const chunk of res.body) {
    hash.update(chunk);
    length += chunk.byteLength;
  }
  process.stdout.write(
    JSON.stringify({ status: res.status, sha256: hash.digest("hex"), size: length }) + "\n",
  );
}
