/**
 * The FileStorage contract, run against every implementation: chunked rows on PGlite and on a
 * PostgreSQL server, a folder, and S3 through the AWS SDK against s3rver (a real S3-compatible
 * server, run in-process from its npm package, so this case never needs to skip).
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { connectDatabase, migrate } from "@talk/db";
import { eachDatabase, freePort } from "@talk/testkit";
import S3rver from "s3rver";
import { FolderStorage } from "../src/storage/folder-storage";
import type { FileStorage } from "../src/storage/file-storage";
import { CHUNK_BYTES, PostgresStorage } from "../src/storage/postgres-storage";
import { S3Storage } from "../src/storage/s3-storage";
import { migrations } from "../src/store/migrations";

const bytes = (size: number, seed = 3) => {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = (i * seed + (i >> 11)) % 256;
  return data;
};

async function* pieces(data: Buffer, piece = 100_000) {
  for (let at = 0; at < data.length; at += piece) yield data.subarray(at, at + piece);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

interface StorageCase {
  storage: FileStorage;
  /** Registers a file id where the storage needs its metadata row first (PostgreSQL: chunks reference it). */
  prepare(id: string): Promise<void>;
  close(): Promise<void>;
}

function describeStorage(name: string, open: () => Promise<StorageCase>) {
  describe(`${name} storage`, () => {
    let current: StorageCase;
    beforeAll(async () => {
      current = await open();
    });
    afterAll(async () => {
      await current?.close();
    });

    const store = async (data: Buffer) => {
      const id = randomUUID();
      await current.prepare(id);
      await current.storage.write(id, pieces(data));
      return id;
    };

    it("gives back the same bytes it was given, across several chunks and parts", async () => {
      const data = bytes(6 * 1024 * 1024 + 12345);
      const id = await store(data);
      const back = await readAll(current.storage.read(id, data.length));
      expect(back.length).toBe(data.length);
      expect(createHash("sha256").update(back).digest("hex")).toBe(
        createHash("sha256").update(data).digest("hex"),
      );
    });

    it("reads a range, also one across a chunk boundary", async () => {
      const data = bytes(3 * CHUNK_BYTES + 17, 5);
      const id = await store(data);
      for (const [start, end] of [
        [0, 0],
        [CHUNK_BYTES - 3, CHUNK_BYTES + 2],
        [CHUNK_BYTES, 2 * CHUNK_BYTES - 1],
        [data.length - 5, data.length - 1],
      ])
        expect(await readAll(current.storage.read(id, data.length, { start, end }))).toEqual(
          data.subarray(start, end + 1),
        );
    });

    it("stores an empty file", async () => {
      const id = await store(Buffer.alloc(0));
      expect((await readAll(current.storage.read(id, 0))).length).toBe(0);
    });

    it("removes the bytes, and removing again is fine", async () => {
      const data = bytes(1000);
      const id = await store(data);
      await current.storage.remove(id);
      await current.storage.remove(id);
      await expect(readAll(current.storage.read(id, data.length))).rejects.toThrow();
    });

    it("keeps nothing readable of a write whose source failed once removed", async () => {
      const id = randomUUID();
      await current.prepare(id);
      async function* failing() {
        yield bytes(CHUNK_BYTES + 10);
        throw new Error("client went away");
      }
      await expect(current.storage.write(id, failing())).rejects.toThrow("client went away");
      await current.storage.remove(id);
      await expect(readAll(current.storage.read(id, CHUNK_BYTES + 10))).rejects.toThrow();
    });
  });
}

for (const [dbName, openDatabase] of eachDatabase())
  describeStorage(`PostgreSQL (${dbName})`, async () => {
    const database = await openDatabase();
    const db = connectDatabase(database.config);
    await migrate(db, migrations);
    return {
      storage: new PostgresStorage(db),
      prepare: async (id) => {
        await db("files").insert({
          id,
          customer_id: randomUUID(),
          owner_id: randomUUID(),
          name: "test.bin",
          content_type: "application/octet-stream",
          state: "uploading",
          storage: "postgres",
          tm_create: "2026-01-01 00:00:00",
        });
      },
      close: async () => {
        await db.destroy();
        await database.close();
      },
    };
  });

describeStorage("folder", async () => {
  const folder = mkdtempSync(join(tmpdir(), "talk-files-"));
  return {
    storage: new FolderStorage(folder),
    prepare: async () => undefined,
    close: async () => rmSync(folder, { recursive: true, force: true }),
  };
});

describeStorage("S3 (s3rver)", async () => {
  const directory = mkdtempSync(join(tmpdir(), "talk-s3rver-"));
  const port = await freePort();
  const server = new S3rver({ port, address: "127.0.0.1", directory, silent: true });
  await server.run();
  const settings = {
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    bucket: "talk-files",
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    forcePathStyle: true,
  };
  const admin = new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  await admin.send(new CreateBucketCommand({ Bucket: settings.bucket }));
  admin.destroy();
  const storage = new S3Storage(settings);
  return {
    storage,
    prepare: async () => undefined,
    close: async () => {
      storage.close();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});
