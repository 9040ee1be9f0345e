import { createHash } from "node:crypto";
import { UploadMeter } from "./upload-meter";

async function drain(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

async function* pieces(...texts: string[]) {
  for (const text of texts) yield Buffer.from(text);
}

describe("the upload meter", () => {
  it("passes the bytes through and knows their size and SHA-256", async () => {
    const meter = new UploadMeter(100);
    const out = await drain(meter.pass(pieces("hello ", "world")));
    expect(out.toString()).toBe("hello world");
    expect(meter.size).toBe(11);
    expect(meter.sha256()).toBe(createHash("sha256").update("hello world").digest("hex"));
  });
  it("stops with FILE_TOO_LARGE at the first byte past the limit", async () => {
    const meter = new UploadMeter(8);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const part of meter.pass(pieces("1234", "5678", "9"))) seen.push(part.toString());
      })(),
    ).rejects.toMatchObject({ status: "PAYLOAD_TOO_LARGE", reason: "FILE_TOO_LARGE" });
    expect(seen).toEqual(["1234", "5678"]);
  });
});
