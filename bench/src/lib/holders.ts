/**
 * WebSockets opened by holder processes (servers/ws-holder.ts), each from its own 127.0.0.x source
 * address, as real clients would come from many: a process holds at most its open-file limit, and
 * reading a large fan-out in the bench process itself would make the load generator the limit.
 */
import { BenchChild } from "./child";
import { Samples } from "./stats";

type Log = (line: string) => void;

export interface HeldSocket {
  url: string;
  topic?: string;
}

export class Holders {
  private constructor(private readonly children: BenchChild[]) {}

  /** `count` holder processes, the k-th from 127.0.0.(k+2). */
  static async start(count: number): Promise<Holders> {
    const children: BenchChild[] = [];
    try {
      for (let h = 0; h < count; h++)
        children.push(
          await BenchChild.start(`ws holder ${h + 1}`, "servers/ws-holder.ts", {
            WS_HOLDER_LOCAL_ADDRESS: `127.0.0.${h + 2}`,
          }),
        );
    } catch (error) {
      for (const child of children) await child.stop();
      throw error;
    }
    return new Holders(children);
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid);
  }

  /**
   * Opens `sockets` as `group`, spread evenly over the holders, their frames told apart by `keyBy`
   * (an event's `data.id`, or the `seq`); answers how long it took and the errors.
   */
  async open(
    sockets: HeldSocket[],
    group: string,
    log: Log,
    keyBy: "id" | "seq" = "id",
  ): Promise<{ seconds: number; errors: number }> {
    const started = Date.now();
    const per = Math.ceil(sockets.length / this.children.length);
    const answers = await Promise.all(
      this.children.map((holder, h) =>
        holder.request(
          { type: "open", group, keyBy, sockets: sockets.slice(h * per, (h + 1) * per) },
          300_000,
        ),
      ),
    );
    const errors = answers.reduce((sum, a) => sum + Number(a.errors ?? 0), 0);
    const firstError = answers.find((a) => a.firstError)?.firstError;
    if (firstError) log(`${errors} sockets failed to open, e.g. ${String(firstError)}`);
    return { seconds: (Date.now() - started) / 1000, errors };
  }

  async held(group?: string): Promise<number> {
    const counts = await Promise.all(this.children.map((h) => h.request({ type: "count", group })));
    return counts.reduce((sum, c) => sum + Number(c.held ?? 0), 0);
  }

  /** Every holder records from now on the moment each frame is read, by its key. */
  async listen(): Promise<void> {
    await Promise.all(this.children.map((h) => h.request({ type: "listen" })));
  }

  /**
   * Waits (bounded) until every socket of `group` read each key, and answers the latencies of the
   * receipts from each key's start (hrtime), the missing receipts as errors.
   */
  async collect(group: string, starts: Map<string, bigint>, timeoutMs = 15_000): Promise<Samples> {
    const payload = Object.fromEntries([...starts].map(([key, t0]) => [key, t0.toString()]));
    const answers = await Promise.all(
      this.children.map((h) =>
        h.request({ type: "collect", group, starts: payload, timeoutMs }, timeoutMs + 60_000),
      ),
    );
    const samples = new Samples();
    for (const answer of answers) {
      for (const ms of answer.latencies as number[]) samples.add(ms);
      samples.errors += Number(answer.missing ?? 0);
    }
    return samples;
  }

  /** The first event frame a holder read (its bytes are B3's template). */
  async sample(): Promise<string | undefined> {
    for (const holder of this.children) {
      const { sample } = await holder.request({ type: "sample" });
      if (sample) return String(sample);
    }
    return undefined;
  }

  async closeSockets(): Promise<void> {
    await Promise.all(this.children.map((h) => h.request({ type: "close" })));
  }

  async stop(): Promise<void> {
    for (const child of this.children) await child.stop();
  }
}
