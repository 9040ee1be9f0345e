/**
 * A membership change made during a fault, as a careful client makes it: one Idempotency-Key,
 * retried on the next gateway until acknowledged. Afterwards the drill checks it was applied
 * exactly once: one join system message in message-manager's database, one event for the readers.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { HttpClient } from "../lib/http";
import { sleep } from "../lib/stats";

export interface MembershipChange {
  agentId: string;
  acked: boolean;
  attempts: number;
}

export async function addParticipantReliably(
  gateways: HttpClient[],
  token: string,
  chatId: string,
  agentId: string,
): Promise<MembershipChange> {
  const key = randomUUID();
  const deadline = Date.now() + 120_000;
  for (let attempt = 0; ; attempt++) {
    try {
      const reply = await gateways[attempt % gateways.length].request(
        "POST",
        `/v1.0/service_agents/talk_chats/${chatId}/participants`,
        { owner_type: "agent", owner_id: agentId },
        { authorization: `Bearer ${token}`, "idempotency-key": key },
      );
      if (reply.status === 200) return { agentId, acked: true, attempts: attempt + 1 };
      if (reply.status < 500 && reply.status !== 429) return { agentId, acked: false, attempts: attempt + 1 };
    } catch {
      // a broken connection: retried with the same key
    }
    if (Date.now() > deadline) return { agentId, acked: false, attempts: attempt + 1 };
    await sleep(Math.min(50 * 2 ** attempt, 1000));
  }
}

/** The system messages of a chat in message-manager's database (one per join or leave). */
export async function systemMessageCount(databaseUrl: string, chatId: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "select count(*) as n from talk_messages where chat_id = $1 and type = 'system'",
      [chatId],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}
