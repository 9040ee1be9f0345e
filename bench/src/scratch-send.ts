import { startStack } from "./lib/stack";
import { Fixtures } from "./lib/fixtures";
import { HttpClient } from "./lib/http";
import { CpuMeter } from "./lib/cpu";
import { talkSend } from "./scenarios/send";
async function main() {
  const stack = await startStack(1, { env: { BATCH_CONC: process.argv[2] ?? "2" } });
  const fx = await Fixtures.connect(stack.distributed);
  const customer = await fx.customer();
  const agents = await fx.agents(customer, 33);
  const spread = [];
  for (let i = 0; i < 32; i++) spread.push({ token: agents[i].token, agentId: agents[i].id, customerId: customer, chatId: await fx.groupChat([agents[i], agents[i + 1]]) });
  const hot = await fx.groupChat(agents);
  const hotSenders = agents.slice(0, 32).map((a) => ({ token: a.token, agentId: a.id, customerId: customer, chatId: hot }));
  const client = new HttpClient(stack.gateways[0], 32);
  const meter = new CpuMeter(() => { const n: Record<string, number[]> = {}; for (const p of stack.distributed.processes) (n[p.spec.service] ??= []).push(p.pid!); return n; });
  await talkSend([client], spread, 32, 3);
  for (const [name, senders] of [["spread", spread], ["hot", hotSenders]] as const) {
    for (let r = 0; r < 2; r++) {
      const { result, cpuMs } = await meter.during(() => talkSend([client], senders, 32, 4));
      const total = Object.values(cpuMs).reduce((a, b) => a + b, 0);
      console.log(name, "conc", process.argv[2], "rate", result.summary().rate.toFixed(0), "cpu/op", (total / result.count).toFixed(2), Object.entries(cpuMs).map(([k, v]) => `${k}=${(v / result.count).toFixed(2)}`).join(" "));
    }
  }
  await fx.close();
  await stack.stop();
  process.exit(0);
}
void main();
