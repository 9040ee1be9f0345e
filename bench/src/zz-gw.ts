import { issueToken } from "@talk/auth";
import { MemoryBus } from "@talk/bus";
import { Metrics, listen, silentLogger } from "@talk/kit";
import { createGatewayApp } from "../../services/api-gateway/src/app";
import { HttpClient } from "./lib/http";

const secret = "x".repeat(32);
const id = "e8b2e976-f043-44c8-bb89-e214e225e813";
async function main() {
  const bus = new MemoryBus({ logger: silentLogger });
  const chat = { id, customer_id: id, type: "group", name: "n", detail: "", member_count: 2, tm_create: "2026-01-01 00:00:00.000000", tm_update: "2026-01-01 00:00:00.000000", tm_delete: "9999-01-01 00:00:00.000000" };
  await bus.handle("chat.get", async () => chat as never);
  await bus.handle("read.summaries", async (r) => ({ summaries: r.chat_ids.map((c) => ({ chat_id: c, unread_count: 0, mention_count: 0, last_read_message_id: null, last_message: null })) }));
  const app = createGatewayApp({ bus, logger: silentLogger, metrics: new Metrics("api-gateway", { defaultMetrics: false }),
    settings: { jwtSecret: secret, tokenTtlSeconds: 60, bodyLimitBytes: 1024 * 1024, loginRatePerMinute: 100, allowedOrigins: [], maxRequestsInFlight: 256, fileManagerUrls: ["http://127.0.0.1:9"], overloadLatencyTolerancePercent: 0, overloadEventLoopLagMs: 0 } });
  const token = issueToken({ agent_id: id, customer_id: id, username: "ann", permission: "admin" }, { secret, ttlSeconds: 600 });
  const { port } = await listen(app, 0, "127.0.0.1");
  const client = new HttpClient(`http://127.0.0.1:${port}`, 1);
  const get = () => client.request("GET", `/v1.0/service_agents/talk_chats/${id}`, undefined, { authorization: `Bearer ${token}` });
  const r = await get(); if (r.status !== 200) throw new Error(r.body);
  for (let round = 0; round < 4; round++) {
    const n = 4000; const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await get();
    const c = process.cpuUsage(c0); const t = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`GET chat: ${(t / n * 1000).toFixed(0)} us wall, ${((c.user + c.system) / n).toFixed(0)} us CPU per request (client+server, one process)`);
  }
  process.exit(0);
}
main();
