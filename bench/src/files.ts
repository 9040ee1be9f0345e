/**
 * `pnpm bench:files [--mb 100] [--rounds 3] [--replicas 1]`
 *
 * File upload and download through Talk (client → gateway → file-manager → its PostgreSQL, the
 * default storage) against, in the same run and on the same bytes: a bare `fs` stream copy of a
 * file, and a bare PostgreSQL `bytea` write and read in 256 KiB rows (file-manager's chunk size) on
 * the same server. Rounds alternate Talk and the baselines. While Talk moves the bytes, every stack
 * process's resident memory is sampled every 20 ms; the table gives each one's growth over its
 * resident size before the round (after one 4 MB warm-up upload). Writes
 * bench/results/files-latest.md and .json. Not part of CI: run it on its own.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { Fixtures } from "./lib/fixtures";
import { sampleProcess } from "./lib/proc";
import { startStack } from "./lib/stack";
import { systemInfo } from "./lib/system-info";

const MB = 1024 * 1024;
const CHUNK = 256 * 1024;
const log = (line: string) =>
  process.stdout.write(`[bench:files ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number`);
  return value;
}

/** `size` deterministic bytes in 64 KiB pieces, made as they are pulled (nothing held). */
function* pattern(size: number): Generator<Buffer> {
  for (let sent = 0, piece = 0; sent < size; piece++) {
    const length = Math.min(64 * 1024, size - sent);
    const chunk = Buffer.alloc(length, piece % 251);
    chunk.writeUInt32BE(piece, 0);
    sent += length;
    yield chunk;
  }
}

const webStream = (size: number) =>
  Readable.toWeb(Readable.from(pattern(size))) as ReadableStream<Uint8Array>;

async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

/** Peak growth of resident memory per process while `work` runs, in MB. */
async function withMemory<T>(
  processes: { name: string; pid: number }[],
  work: () => Promise<T>,
): Promise<{ value: T; growth: Record<string, number> }> {
  const base = new Map(processes.map((p) => [p.pid, sampleProcess(p.pid)?.rssMb ?? 0]));
  const peak = new Map(base);
  const sample = () => {
    for (const p of processes)
      peak.set(p.pid, Math.max(peak.get(p.pid) ?? 0, sampleProcess(p.pid)?.rssMb ?? 0));
  };
  const timer = setInterval(sample, 20);
  try {
    const value = await work();
    sample();
    const growth: Record<string, number> = {};
    for (const p of processes)
      growth[p.name] = Math.max(growth[p.name] ?? 0, (peak.get(p.pid) ?? 0) - (base.get(p.pid) ?? 0));
    return { value, growth };
  } finally {
    clearInterval(timer);
  }
}

async function drain(body: ReadableStream<Uint8Array> | null): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of (body ?? []) as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { size, sha256: hash.digest("hex") };
}

async function main(): Promise<void> {
  const size = option("mb", 100) * MB;
  const rounds = option("rounds", 3);
  const replicas = option("replicas", 1);
  const expected = createHash("sha256");
  for (const chunk of pattern(size)) expected.update(chunk);
  const sha256 = expected.digest("hex");

  log(`starting the stack (${replicas} replica(s) per service)`);
  const stack = await startStack(replicas, { env: { FILE_MAX_BYTES: String(size + MB) } });
  const fixtures = await Fixtures.connect(stack.distributed);
  const folder = mkdtempSync(join(tmpdir(), "talk-bench-files-"));
  const db = new pg.Client({ connectionString: await stack.postgres.createDatabase("bench_files") });
  const info = await systemInfo(stack.postgresUrl, stack.rabbitUrl);
  const figures: Record<string, number[]> = {};
  const memory: Record<string, number> = {};
  const add = (name: string, seconds: number) => (figures[name] ??= []).push(size / MB / seconds);
  try {
    await db.connect();
    await db.query(
      "create table chunks (file_id uuid, seq int, data bytea not null, primary key (file_id, seq))",
    );
    const [agent] = await fixtures.agents(await fixtures.customer(), 1);
    const gateway = stack.gateways[0];
    const auth = { authorization: `Bearer ${agent.token}` };
    const processes = stack.distributed.processes.flatMap((p) =>
      p.pid ? [{ name: p.spec.service, pid: p.pid }] : [],
    );
    // The source file of the fs copy (written once, outside the timing).
    await pipeline(Readable.from(pattern(size)), createWriteStream(join(folder, "source.bin")));

    // First-use allocations (modules, pools, buffers) are not what the memory figure is about.
    const warm = await fetch(`${gateway}/v1.0/files?name=warm-up.bin`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/octet-stream" },
      body: webStream(4 * MB),
      duplex: "half",
    } as RequestInit);
    if (warm.status !== 200) throw new Error(`warm-up upload: ${warm.status}`);

    for (let round = 1; round <= rounds; round++) {
      log(`round ${round}/${rounds}: ${size / MB} MB`);
      const talk = await withMemory(processes, async () => {
        const up = await timed(async () => {
          const res = await fetch(`${gateway}/v1.0/files?name=bench.bin`, {
            method: "POST",
            headers: { ...auth, "content-type": "application/octet-stream" },
            body: webStream(size),
            duplex: "half",
          } as RequestInit);
          const body = (await res.json()) as { id: string; size: number; sha256: string };
          if (res.status !== 200 || body.sha256 !== sha256) throw new Error(`upload: ${res.status}`);
          return body;
        });
        const down = await timed(async () => {
          const res = await fetch(`${gateway}/v1.0/files/${up.value.id}/content`, { headers: auth });
          const got = await drain(res.body);
          if (res.status !== 200 || got.sha256 !== sha256) throw new Error(`download: ${res.status}`);
        });
        await fetch(`${gateway}/v1.0/files/${up.value.id}`, { method: "DELETE", headers: auth });
        return { up: up.seconds, down: down.seconds };
      });
      add("Talk upload", talk.value.up);
      add("Talk download", talk.value.down);
      for (const [name, mb] of Object.entries(talk.growth)) memory[name] = Math.max(memory[name] ?? 0, mb);

      const copy = await timed(() =>
        pipeline(createReadStream(join(folder, "source.bin")), createWriteStream(join(folder, "copy.bin"))),
      );
      add("bare fs stream copy", copy.seconds);

      const id = randomUUID();
      const write = await timed(async () => {
        let seq = 0;
        let pending: Buffer[] = [];
        let held = 0;
        const flush = async () => {
          await db.query("insert into chunks values ($1, $2, $3)", [id, seq++, Buffer.concat(pending)]);
          pending = [];
          held = 0;
        };
        for (const piece of pattern(size)) {
          pending.push(piece);
          held += piece.byteLength;
          if (held >= CHUNK) await flush();
        }
        if (held > 0) await flush();
      });
      add("bare PostgreSQL bytea write (256 KiB rows)", write.seconds);
      const read = await timed(async () => {
        const hash = createHash("sha256");
        for (let seq = 0; ; seq++) {
          const { rows } = await db.query("select data from chunks where file_id = $1 and seq = $2", [
            id,
            seq,
          ]);
          if (rows.length === 0) break;
          hash.update(rows[0].data as Buffer);
        }
        if (hash.digest("hex") !== sha256) throw new Error("bytea read back other bytes");
      });
      add("bare PostgreSQL bytea read (256 KiB rows)", read.seconds);
      await db.query("delete from chunks where file_id = $1", [id]);
    }
  } finally {
    await db.end().catch(() => undefined);
    await fixtures.close().catch(() => undefined);
    rmSync(folder, { recursive: true, force: true });
    log("stopping the stack");
    await stack.stop();
  }

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const lines = [
    `# File transfer benchmark (${new Date().toISOString().slice(0, 16)} UTC)`,
    "",
    `${size / MB} MB per transfer, ${rounds} rounds alternating Talk and the baselines, ${replicas} replica(s) per service; ` +
      `Talk stores the bytes in file-manager's PostgreSQL (the default storage). ` +
      `Machine: ${info.cpu}, ${info.cpus} cores, ${info.memoryGb} GB; Node ${info.node}, PostgreSQL ${info.postgres}; commit ${info.commit}.`,
    "",
    "| transfer | MB/s (median) | MB/s (each round) |",
    "|---|---|---|",
    ...Object.entries(figures).map(
      ([name, values]) =>
        `| ${name} | ${median(values).toFixed(1)} | ${values.map((v) => v.toFixed(1)).join(", ")} |`,
    ),
    "",
    `Peak resident-memory growth per process while Talk uploaded and downloaded ${size / MB} MB (max over rounds and replicas):`,
    "",
    "| process | MB |",
    "|---|---|",
    ...Object.entries(memory).map(([name, mb]) => `| ${name} | ${mb.toFixed(1)} |`),
    "",
  ];
  const out = join(__dirname, "../results");
  writeFileSync(join(out, "files-latest.md"), lines.join("\n"));
  writeFileSync(
    join(out, "files-latest.json"),
    `${JSON.stringify({ size, rounds, replicas, mbPerSecond: figures, rssGrowthMb: memory, system: info }, null, 2)}\n`,
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
