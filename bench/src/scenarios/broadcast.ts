/**
 * What the WebSocket scenarios share: an open-loop pacer, a bounded wait, and a round of B3 (bare
 * `ws` broadcast) at a rate, each frame timed from just before B3's first send to every receipt.
 */
import type { BenchChild } from "../lib/child";
import { Samples, sleep } from "../lib/stats";
import type { WsClient } from "../lib/ws-clients";

/** Calls `fire(k)` for k = 0…count-1 at `rate` per second (open loop) and waits for all of them. */
export async function atRate(
  rate: number,
  seconds: number,
  fire: (k: number) => Promise<void>,
): Promise<void> {
  const count = Math.max(1, Math.round(rate * seconds));
  const start = performance.now();
  const running: Promise<void>[] = [];
  for (let k = 0; k < count; k++) {
    const wait = start + (k * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    running.push(fire(k).catch(() => undefined));
  }
  await Promise.all(running);
}

/** Waits (bounded) until `done()`; true if it happened. */
export async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Records each receipt of a frame (by its `seq`) on the bare sockets. */
export function receiptsBySeq(bare: readonly WsClient[]): Map<number, bigint[]> {
  const receipts = new Map<number, bigint[]>();
  for (const client of bare)
    client.onFrame = (frame, at) => {
      const seq = Number(frame.seq);
      const list = receipts.get(seq);
      if (list) list.push(at);
      else receipts.set(seq, [at]);
    };
  return receipts;
}

/** Latency of every receipt of every frame sent (`t0` by seq); missing receipts are errors. */
export function receiptSamples(
  sent: Map<number, bigint>,
  receipts: Map<number, bigint[]>,
  perFrame: number,
): Samples {
  const samples = new Samples();
  for (const [seq, t0] of sent) {
    const got = receipts.get(seq) ?? [];
    for (const t of got) samples.add(Number(t - t0) / 1e6);
    samples.errors += Math.max(0, perFrame - got.length);
  }
  return samples;
}

/** B3 sends its template to the `bare` sockets at `rate` for `seconds`; `n` receipts per frame. */
export async function b3Round(
  b3: BenchChild,
  bare: readonly WsClient[],
  n: number,
  rate: number,
  seconds: number,
): Promise<Samples> {
  const receipts = receiptsBySeq(bare);
  const sent = new Map<number, bigint>();
  const started = process.hrtime.bigint();
  const base = Math.floor(Math.random() * 1e9);
  await atRate(rate, seconds, async (k) => {
    const answer = await b3.request({ type: "broadcast", seq: base + k });
    sent.set(base + k, BigInt(String(answer.t0)));
  });
  await until(() => [...sent.keys()].every((seq) => (receipts.get(seq)?.length ?? 0) >= n), 15_000);
  const samples = receiptSamples(sent, receipts, n);
  samples.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return samples;
}
