/**
 * Steady senders, as careful clients: each posts its next message at a fixed pace, and retries a
 * send that failed (an error status or a broken connection) with the same Idempotency-Key, with
 * backoff, on the next gateway — until it is acknowledged.
 */
import { randomUUID } from "node:crypto";
import type { HttpClient } from "../lib/http";
import { sleep } from "../lib/stats";

export interface Acked {
  id: string;
  text: string;
  /** Date.now() when the send started, and when it was acknowledged. */
  startedAt: number;
  ackedAt: number;
  attempts: number;
}

export interface SenderAgent {
  id: string;
  token: string;
}

export class SendLoad {
  readonly acked: Acked[] = [];
  /** Attempts that failed (error status, timeout or broken connection), each with when it happened. */
  readonly failures: { at: number; what: string }[] = [];
  /** Sends given up on (refused with a 4xx other than 429: would be a bug). */
  readonly refused: string[] = [];
  private stopping = false;
  private running: Promise<void>[] = [];

  constructor(
    private readonly gateways: HttpClient[],
    private readonly chatId: () => string,
    private readonly intervalMs: number,
  ) {}

  start(senders: SenderAgent[]): void {
    this.running = senders.map((sender, s) => this.loop(sender, s));
  }

  /** Stops starting new sends and waits for the ones in flight to be acknowledged. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  private async loop(sender: SenderAgent, s: number): Promise<void> {
    for (let i = 0; !this.stopping; i++) {
      const began = Date.now();
      await this.sendReliably(
        sender,
        s,
        this.chatId(),
        `drill ${sender.id.slice(0, 8)} #${i} ${randomUUID()}`,
      );
      await sleep(Math.max(0, this.intervalMs - (Date.now() - began)));
    }
  }

  private async sendReliably(sender: SenderAgent, s: number, chatId: string, text: string): Promise<void> {
    const key = randomUUID();
    const startedAt = Date.now();
    const deadline = startedAt + 180_000;
    for (let attempt = 0; ; attempt++) {
      const gateway = this.gateways[(s + attempt) % this.gateways.length];
      try {
        const reply = await gateway.request(
          "POST",
          "/v1.0/service_agents/talk_messages",
          { chat_id: chatId, type: "normal", text },
          { authorization: `Bearer ${sender.token}`, "idempotency-key": key },
        );
        if (reply.status === 200) {
          const { id } = JSON.parse(reply.body) as { id: string };
          this.acked.push({ id, text, startedAt, ackedAt: Date.now(), attempts: attempt + 1 });
          return;
        }
        this.failures.push({ at: Date.now(), what: `${reply.status} ${reply.body.slice(0, 120)}` });
        if (reply.status < 500 && reply.status !== 429) {
          this.refused.push(`${reply.status} ${reply.body.slice(0, 200)}`);
          return;
        }
      } catch (error) {
        this.failures.push({ at: Date.now(), what: error instanceof Error ? error.message : String(error) });
      }
      if (Date.now() > deadline) {
        this.refused.push(`never acknowledged in 3 minutes: ${text}`);
        return;
      }
      await sleep(Math.min(50 * 2 ** attempt, 1000));
    }
  }
}
