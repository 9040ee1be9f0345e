/**
 * `pnpm bench:refusal`: the gateway's CPU per refused request. Embedded mode admitting one request
 * at a time (servers/refusal-server.ts) holds one send in flight (its body half sent), then keep-alive
 * clients send bursts of sends that admission control refuses with 503 OVERLOADED; the server's
 * CPU time (user + system) over each burst divided by its requests is the cost of a refusal — what
 * the gateways spend per excess request at twice their peak (bench/results/drill-latest.md, Overload).
 * Rounds alternate with nothing else; report the median.
 */
import http from "node:http";
import { connect } from "node:net";
import { BenchChild } from "./lib/child";
import { runCommand } from "./lib/run";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const PER_ROUND = Number(process.env.PER_ROUND ?? 4000);
const CONCURRENCY = 16;
const PATH = "/v1.0/service_agents/talk_messages";
const BODY = JSON.stringify({ chat_id: "00000000-0000-4000-8000-000000000000", type: "normal", text: "x" });

function post(agent: http.Agent, url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: PATH,
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(BODY) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(BODY);
  });
}

async function main(): Promise<boolean> {
  const server = await BenchChild.start("refusal server", "servers/refusal-server.ts");
  const url = new URL(String(server.info.url));
  // hold one request in flight: its head and half its body sent, the rest never
  const held = connect(Number(url.port), url.hostname);
  held.write(
    `POST ${PATH} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 10)}`,
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const costs: number[] = [];
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      const before = (await server.request({ type: "cpu" })) as unknown as NodeJS.CpuUsage;
      let refused = 0;
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next++ < PER_ROUND) if ((await post(agent, url)) === 503) refused++;
        }),
      );
      const after = (await server.request({ type: "cpu" })) as unknown as NodeJS.CpuUsage;
      if (refused !== PER_ROUND) throw new Error(`only ${refused} of ${PER_ROUND} were refused`);
      const us = (after.user - before.user + after.system - before.system) / PER_ROUND;
      if (round > 0) costs.push(us); // round 0 warms up
      process.stdout.write(
        `round ${round}: ${us.toFixed(1)} µs of server CPU per refusal${round ? "" : " (warm-up)"}\n`,
      );
    }
  } finally {
    agent.destroy();
    held.destroy();
    await server.stop();
  }
  costs.sort((a, b) => a - b);
  process.stdout.write(
    `median ${costs[Math.floor(costs.length / 2)].toFixed(1)} µs per refusal over ${ROUNDS} rounds of ${PER_ROUND}\n`,
  );
  return true;
}

runCommand("refusal-cost", main);
