/**
 * Typing relay across push replicas (issue 13): one chat with N participants, each with a socket
 * subscribed to `agent_id:<me>:chat`, spread over two push replicas. Typists (participants with a
 * second socket on replica 1) send `typing` frames at a fixed rate, round robin, each typist slow
 * enough to pass the relay's rate limit (one per chat per 2 s); each frame is timed from the
 * client's send to its receipt on every other participant's socket. The row is the receipts on
 * replica 2 (the frame crossed RabbitMQ between replicas); the note gives replica 1's. B3 sends a
 * frame of the same bytes to N bare `ws` sockets at the same rate, timed from its first send.
 */
import { TYPING_RELAY_INTERVAL_MS } from "@talk/contracts";
import { BenchChild } from "../lib/child";
import type { Fixtures } from "../lib/fixtures";
import { interleaved } from "../lib/interleave";
import { type Row, ratiosOf } from "../lib/report";
import type { BenchStack } from "../lib/stack";
import { Samples } from "../lib/stats";
import { WsClient, openMany } from "../lib/ws-clients";
import { atRate, b3Round, until } from "./broadcast";

type Log = (line: string) => void;

export interface TypingSettings {
  sizes: number[];
  /** Typing frames per second, over all typists. */
  rate: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
}

const ms = (from: bigint, to: bigint) => Number(to - from) / 1e6;

export async function runTyping(
  settings: TypingSettings,
  stack: BenchStack,
  fixtures: Fixtures,
  log: Log,
): Promise<Row[]> {
  if (stack.push.length < 2) throw new Error("the typing scenario needs two push replicas");
  const [replica1, replica2] = stack.push;
  const b3 = await BenchChild.start("B3 ws broadcast", "servers/b3-ws-broadcast.ts");
  const b3Url = `ws://127.0.0.1:${String(b3.info.port)}/`;
  const rows: Row[] = [];
  // each typist types again only after the rate limit let it (with a margin)
  const typistCount = Math.ceil((settings.rate * TYPING_RELAY_INTERVAL_MS * 1.25) / 1000);
  try {
    for (const n of settings.sizes) {
      log(`typing N=${n}: ${n} agents in one chat`);
      const customer = await fixtures.customer();
      const agents = await fixtures.agents(customer, n);
      const chatId = await fixtures.groupChat(agents, `typing ${n}`);
      log(`typing N=${n}: connecting ${n} readers over 2 push replicas, ${typistCount} typists on replica 1`);
      const readers = await openMany(n, 100, async (i) => {
        const replica = i % 2 === 0 ? replica1 : replica2;
        const client = await WsClient.connect(WsClient.pushUrl(replica.url, agents[i].token));
        await client.subscribe([`agent_id:${agents[i].id}:chat`]);
        return { client, crossing: replica === replica2 };
      });
      const typists = await openMany(Math.min(typistCount, n - 1), 50, async (i) => ({
        agentId: agents[i].id,
        client: await WsClient.connect(WsClient.pushUrl(replica1.url, agents[i].token)),
      }));
      const bare = await openMany(n, 100, () => WsClient.connect(b3Url));
      let template: string | undefined;

      const talkRound = async (seconds: number) => {
        /** The moment each typist last sent. */
        const sentAt = new Map<string, bigint>();
        const crossing = new Samples();
        const local = new Samples();
        let expected = 0;
        for (const reader of readers)
          reader.client.onFrame = (frame, at, raw) => {
            if (frame.type !== "typing") return;
            template ??= raw;
            const t0 = sentAt.get(String(frame.data?.agent_id));
            if (t0 !== undefined) (reader.crossing ? crossing : local).add(ms(t0, at));
          };
        const started = process.hrtime.bigint();
        await atRate(settings.rate, seconds, async (k) => {
          const typist = typists[k % typists.length];
          sentAt.set(typist.agentId, process.hrtime.bigint());
          typist.client.ws.send(JSON.stringify({ type: "typing", chat_id: chatId }));
          expected += n - 1;
        });
        await until(() => crossing.count + local.count >= expected, 15_000);
        const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
        for (const samples of [crossing, local]) samples.seconds = elapsed;
        crossing.errors = Math.max(0, expected - crossing.count - local.count);
        return { crossing, local };
      };

      log(`typing N=${n}: warm-up`);
      await talkRound(settings.warmupSeconds);
      // typists wait out the rate limit before the measured rounds start
      await new Promise((resolve) => setTimeout(resolve, TYPING_RELAY_INTERVAL_MS));
      await b3.request({ type: "template", template: withSeq(template) });
      await b3Round(b3, bare, n, settings.rate, settings.warmupSeconds);
      log(`typing N=${n}: ${settings.rounds} × ${settings.seconds} s each side at ${settings.rate} frames/s`);
      const local = new Samples();
      const [base, crossing] = await interleaved(settings.rounds, [
        () => b3Round(b3, bare, n, settings.rate, settings.seconds),
        async () => {
          const round = await talkRound(settings.seconds);
          local.merge(round.local);
          await new Promise((resolve) => setTimeout(resolve, TYPING_RELAY_INTERVAL_MS));
          return round.crossing;
        },
      ]);
      const talk = { label: "Talk, replica 1 → 2", summary: crossing.summary() };
      const baseline = { label: `B3 N=${n}`, summary: base.summary() };
      const localSummary = local.summary();
      rows.push({
        id: `typing-${n}`,
        scenario: `Typing relay across push replicas: 1 chat, N = ${n} subscribed participants (half on each replica), ${settings.rate} typing frames/s sent on replica 1; client send → each socket on replica 2`,
        kind: "fanout",
        talk,
        baseline,
        ratios: ratiosOf("fanout", talk, baseline),
        target: "p99 ≤ 100 ms",
        met: talk.summary.p99 <= 100 && crossing.errors === 0,
        note:
          `receipts on replica 1 (same replica as the typist): p50 ${localSummary.p50.toFixed(2)} · p99 ${localSummary.p99.toFixed(2)} ms (${localSummary.count} receipts); ` +
          `${typists.length} typists take turns, each at most once per ${TYPING_RELAY_INTERVAL_MS / 1000} s (the relay's rate limit); ` +
          `Talk is timed from the client's send (client → replica 1 → RabbitMQ → replica 2 → client), B3 from the server's` +
          (crossing.errors ? `; ${crossing.errors} receipts missing after 15 s` : ""),
      });
      for (const socket of [...readers.map((r) => r.client), ...typists.map((t) => t.client), ...bare])
        socket.close();
    }
  } finally {
    await b3.stop();
  }
  return rows;
}

/** A real frame as B3's template, with the `seq` its readers time it by. */
export function withSeq(raw: string | undefined): string {
  return raw ? raw.replace(/^\{/, '{"seq":__SEQ__,') : '{"type":"bench","seq":__SEQ__}';
}
