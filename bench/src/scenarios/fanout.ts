/**
 * Fan-out and connections over the push service's WebSocket.
 *
 * Fan-out: one chat with N participants, each connected (spread over the push replicas) and
 * subscribed to `agent_id:<me>:chat`; one of them posts at a fixed rate; for every message, the
 * time from the POST's response to its receipt on each socket. B3 (bare `ws`) sends a frame of the
 * same bytes to N sockets at the same rate, timed from just before its first send.
 * (Idle connections: scenarios/connections.ts.)
 */
import { BenchChild } from "../lib/child";
import type { Fixtures } from "../lib/fixtures";
import { HttpClient } from "../lib/http";
import { interleaved } from "../lib/interleave";
import { type Row, ratiosOf } from "../lib/report";
import type { BenchSettings } from "../lib/settings";
import type { BenchStack } from "../lib/stack";
import { Samples } from "../lib/stats";
import { WsClient, openMany } from "../lib/ws-clients";
import { atRate, b3Round, until } from "./broadcast";

type Log = (line: string) => void;

const MESSAGES = "/v1.0/service_agents/talk_messages";

export async function runFanout(
  settings: BenchSettings,
  stack: BenchStack,
  fixtures: Fixtures,
  log: Log,
): Promise<Row[]> {
  if (stack.push.length === 0) {
    log("fan-out: this stack has no push service; skipped");
    return [];
  }
  const b3 = await BenchChild.start("B3 ws broadcast", "servers/b3-ws-broadcast.ts");
  const b3Url = `ws://127.0.0.1:${String(b3.info.port)}/`;
  const rows: Row[] = [];
  try {
    for (const n of settings.fanoutSizes) {
      log(`fan-out N=${n}: ${n} agents in one chat`);
      const customer = await fixtures.customer();
      const agents = await fixtures.agents(customer, n);
      const chatId = await fixtures.groupChat(agents, `fan-out ${n}`);
      log(
        `fan-out N=${n}: chat ready; connecting ${n} readers to ${stack.push.length} push replica(s) and ${n} sockets to B3`,
      );
      const readers = await openMany(n, 100, async (i) => {
        const client = await WsClient.connect(
          WsClient.pushUrl(stack.push[i % stack.push.length].url, agents[i].token),
        );
        await client.subscribe([`agent_id:${agents[i].id}:chat`]);
        return client;
      });
      const bare = await openMany(n, 100, () => WsClient.connect(b3Url));
      const http = new HttpClient(stack.gateways[0], 16);
      const sender = agents[0];
      let template: string | undefined;

      const talkRound = async (seconds: number): Promise<Samples> => {
        const receipts = new Map<string, bigint[]>();
        const responses = new Map<string, bigint>();
        for (const reader of readers)
          reader.onFrame = (frame, at, raw) => {
            if (frame.type !== "chatmessage_created" || !frame.data?.id) return;
            template ??= raw.replace(/"seq":\d+/, '"seq":__SEQ__');
            const list = receipts.get(frame.data.id);
            if (list) list.push(at);
            else receipts.set(frame.data.id, [at]);
          };
        const samples = new Samples();
        const started = process.hrtime.bigint();
        await atRate(settings.fanoutRate, seconds, async (k) => {
          const reply = await http.request(
            "POST",
            MESSAGES,
            { chat_id: chatId, type: "normal", text: `fan-out ${n} #${k}` },
            { authorization: `Bearer ${sender.token}` },
          );
          const at = process.hrtime.bigint();
          if (reply.status !== 200) {
            samples.errors++;
            return;
          }
          responses.set((JSON.parse(reply.body) as { id: string }).id, at);
        });
        await until(() => [...responses.keys()].every((id) => (receipts.get(id)?.length ?? 0) >= n), 15_000);
        samples.seconds = Number(process.hrtime.bigint() - started) / 1e9;
        for (const [id, at] of responses) {
          const got = receipts.get(id) ?? [];
          for (const t of got) samples.add(Number(t - at) / 1e6);
          samples.errors += Math.max(0, n - got.length);
        }
        return samples;
      };

      log(`fan-out N=${n}: warm-up`);
      await talkRound(settings.warmupSeconds);
      await b3.request({ type: "template", template: template ?? '{"type":"bench","seq":__SEQ__}' });
      await b3Round(b3, bare, n, settings.fanoutRate, settings.warmupSeconds);
      log(
        `fan-out N=${n}: ${settings.rounds} × ${settings.fanoutSeconds} s each side at ${settings.fanoutRate} messages/s`,
      );
      const [base, talk] = await interleaved(settings.rounds, [
        () => b3Round(b3, bare, n, settings.fanoutRate, settings.fanoutSeconds),
        () => talkRound(settings.fanoutSeconds),
      ]);
      const talkMeasured = { label: "Talk", summary: talk.summary() };
      const baseMeasured = { label: `B3 N=${n}`, summary: base.summary() };
      const ratios = ratiosOf("fanout", talkMeasured, baseMeasured);
      rows.push({
        id: `fanout-${n}`,
        scenario: `Fan-out: 1 chat, N = ${n} connected participants, ${settings.fanoutRate} messages/s; POST response → each socket`,
        kind: "fanout",
        talk: talkMeasured,
        baseline: baseMeasured,
        ratios,
        ...(n === 100
          ? { target: "p99 within a few ms of B3", met: (ratios.p99_delta_ms ?? Infinity) <= 5 }
          : {}),
        ...(talk.errors ? { note: `${talk.errors} receipts missing after 15 s` } : {}),
      });
      http.close();
      for (const client of [...readers, ...bare]) client.close();
    }
  } finally {
    await b3.stop();
  }
  return rows;
}
