/**
 * Sending messages: Talk's `POST /v1.0/service_agents/talk_messages` through the gateway, and B1's
 * bare insert endpoint, driven by the same closed-loop load (each worker is one sender in one chat).
 */
import pg from "pg";
import { BenchChild } from "../lib/child";
import { type HttpClient, closedLoop } from "../lib/http";
import type { Samples } from "../lib/stats";

export interface Sender {
  token: string;
  agentId: string;
  customerId: string;
  chatId: string;
}

const MESSAGES = "/v1.0/service_agents/talk_messages";

export function talkSend(
  clients: HttpClient[],
  senders: Sender[],
  concurrency: number,
  seconds: number,
): Promise<Samples> {
  return closedLoop(concurrency, seconds, async (w, i) => {
    const sender = senders[w % senders.length];
    const reply = await clients[w % clients.length].request(
      "POST",
      MESSAGES,
      { chat_id: sender.chatId, type: "normal", text: `bench message ${w}-${i}` },
      { authorization: `Bearer ${sender.token}` },
    );
    return reply.status === 200;
  });
}

export function b1Send(
  client: HttpClient,
  senders: Sender[],
  concurrency: number,
  seconds: number,
): Promise<Samples> {
  return closedLoop(concurrency, seconds, async (w, i) => {
    const sender = senders[w % senders.length];
    const reply = await client.request("POST", "/messages", {
      customer_id: sender.customerId,
      chat_id: sender.chatId,
      owner_id: sender.agentId,
      text: `bench message ${w}-${i}`,
    });
    return reply.status === 200;
  });
}

/** B1 on its own database of the stack's PostgreSQL, with the chats the senders write to. */
export async function startB1(
  databaseUrl: string,
  chats: { id: string; customerId: string }[],
): Promise<BenchChild> {
  const child = await BenchChild.start("B1 express+pg", "servers/b1-express-pg.ts", {
    DATABASE_URL: databaseUrl,
    POOL_MAX: "10",
  });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  for (const chat of chats)
    await client.query("insert into chats (id, customer_id) values ($1, $2) on conflict do nothing", [
      chat.id,
      chat.customerId,
    ]);
  await client.end();
  return child;
}
