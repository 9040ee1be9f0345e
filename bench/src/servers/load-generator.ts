/**
 * A load generator process for the overload drill. One process offering 700 sends a second on the
 * same 2 cores as the stack runs its own event loop late (0.7 s p99 in one run), and every latency
 * it reports includes that delay; so the drill spreads its open loop over a few of these.
 *
 * `openLoop` runs this process's share of a global schedule — request i is due at
 * `startAt + i / rate` and belongs to process `i mod processes` — whatever the answers, and returns
 * the latency of every accepted (200) and refused (429/503) send, from the moment it was handed to
 * the HTTP client to its whole response. Its clients are, by default, a population of API clients
 * that keep their connections (a keep-alive pool per gateway that opens a connection only when all
 * of its open ones are busy) — as real API clients do; `keepAlive: false` opens a connection per
 * request (the drill's earlier model: then every refusal costs the gateway an accept and a close).
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { type ChildMessage, ready, serveParent } from "../lib/child";
import { sleep } from "../lib/stats";

export interface OpenLoopCommand {
  gateways: string[];
  senders: { token: string; chatId: string }[];
  rate: number;
  seconds: number;
  /** Epoch ms at which request 0 is due (the same for every generator process). */
  startAt: number;
  /** This process's index and how many share the schedule. */
  index: number;
  processes: number;
  keepAlive: boolean;
  /** Close a keep-alive connection idle this long (default IDLE_CLOSE_MS). */
  idleCloseMs?: number;
  timeoutMs: number;
}

export interface OpenLoopReply {
  accepted: number[];
  refused: number[];
  failures: [string, number][];
  /** Connections this process opened during the step (a keep-alive pool reuses its idle ones). */
  connectionsOpened: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

/**
 * Idle keep-alive connections close before the gateway's own keep-alive timeout
 * (`HTTP_KEEP_ALIVE_SECONDS`, 65 s) can race a reuse.
 */
const IDLE_CLOSE_MS = 60_000;

let agents = new Map<string, http.Agent>();
const agentFor = (url: string, keepAlive: boolean, idleCloseMs = IDLE_CLOSE_MS): http.Agent => {
  const key = `${keepAlive}:${idleCloseMs}:${url}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = keepAlive
      ? new http.Agent({
          keepAlive: true,
          maxSockets: Infinity,
          maxFreeSockets: 1024,
          timeout: idleCloseMs,
        })
      : new http.Agent({ keepAlive: false, maxSockets: Infinity });
    agents.set(key, agent);
  }
  return agent;
};

/**
 * A request due within this many ms is sent now rather than after a timer of its own: a timer per
 * request (about 1 ms apart at 1,000/s a process) cost this client 143–187 µs of CPU a request,
 * sending what is due within 3 ms 93–111 µs (alternating, 1,000/s for 8 s each) — CPU that, on the
 * machine the stack shares with its clients, the stack does not get. Latency is timed from the send.
 */
const EARLY_MS = 3;

interface Sent {
  status: number;
  body: string;
  ms: number;
  opened: boolean;
}

function send(
  gateway: URL,
  agent: http.Agent,
  sender: { token: string; chatId: string },
  text: string,
  timeoutMs: number,
): Promise<Sent> {
  const payload = JSON.stringify({ chat_id: sender.chatId, type: "normal", text });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let opened = false;
    const req = http.request(
      {
        host: gateway.hostname,
        port: gateway.port,
        method: "POST",
        path: "/v1.0/service_agents/talk_messages",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
          authorization: `Bearer ${sender.token}`,
          "idempotency-key": randomUUID(),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - t0,
            opened,
          }),
        );
        res.on("error", reject);
      },
    );
    req.once("socket", () => {
      opened = !req.reusedSocket;
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(payload);
  });
}

async function openLoop(command: OpenLoopCommand): Promise<OpenLoopReply> {
  const gateways = command.gateways.map((url) => new URL(url));
  const accepted: number[] = [];
  const refused: number[] = [];
  const why = new Map<string, number>();
  let connectionsOpened = 0;
  const failure = (what: string) => {
    why.set(what, (why.get(what) ?? 0) + 1);
  };
  const total = Math.round(command.rate * command.seconds);
  // performance.now() on the shared epoch clock
  const startAt = command.startAt - performance.timeOrigin;
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const inFlight: Promise<void>[] = [];
  for (let i = command.index; i < total; i += command.processes) {
    const wait = startAt + (i * 1000) / command.rate - performance.now();
    if (wait > EARLY_MS) await sleep(wait);
    const url = gateways[i % gateways.length];
    const sender = command.senders[i % command.senders.length];
    inFlight.push(
      send(
        url,
        agentFor(url.href, command.keepAlive, command.idleCloseMs),
        sender,
        `overload ${i} ${randomUUID()}`,
        command.timeoutMs,
      ).then(
        ({ status, body, ms, opened }) => {
          if (opened) connectionsOpened++;
          if (status === 200) accepted.push(ms);
          else if (status === 429 || status === 503) refused.push(ms);
          else failure(`${status} ${body.slice(0, 80)}`);
        },
        (error: unknown) => failure(error instanceof Error ? error.message : String(error)),
      ),
    );
  }
  await Promise.all(inFlight);
  lag.disable();
  return {
    accepted,
    refused,
    failures: [...why],
    connectionsOpened,
    lagP99Ms: lag.percentile(99) / 1e6,
    lagMaxMs: lag.max / 1e6,
  };
}

serveParent({
  openLoop: (command: ChildMessage) =>
    openLoop(command as unknown as OpenLoopCommand) as unknown as Promise<Record<string, unknown>>,
  close() {
    for (const agent of agents.values()) agent.destroy();
    agents = new Map();
    return {};
  },
});
ready({});
