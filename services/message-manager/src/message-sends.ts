/**
 * Sending messages with group commit. Concurrent sends (replies aside) are written together: one
 * transaction claims their Idempotency-Keys, locks their chats' replica rows (in id order), checks
 * membership, inserts every message, its event and the chats' new sequence numbers with a handful
 * of statements, and commits once. Per chat the order, sequence numbers and strictly increasing
 * timestamps are exactly those of one-by-one sends: the chat's row is locked while they are taken.
 *
 * A send the batch cannot vouch for — its chat or membership is not (yet) in the replica, or its
 * key appears twice in the batch — is left out and done alone afterwards, by the ordinary path,
 * which asks chat-manager and waits for the replica as needed. If the batch fails before its
 * commit, every send in it is done alone; if the commit itself fails, they fail (and are retried
 * by clients with their keys, as for any send).
 */
import { randomUUID } from "node:crypto";
import type { Actor, CreateMessageRequest, Message } from "@talk/contracts";
import {
  type IdempotencyKey,
  type Outbox,
  claimKeys,
  idempotencyKeyReused,
  keyClaimOf,
  nextTimestampAfter,
  recordingResponses,
  releaseKeys,
  agentKey,
} from "@talk/db";
import { GroupCommit, type GroupCommitOptions, type Outcome } from "./group-commit";
import type { RequestMeta } from "./message-service";
import type { MessageMetrics } from "./metrics";
import { type ChatRow, type MessageStore, memberKey } from "./store/message-store";

export interface SendRequest {
  actor: Actor;
  input: CreateMessageRequest;
  meta: RequestMeta;
}

/**
 * One batch at a time per replica: while it is written the next one gathers (measured: a second
 * concurrent batch mostly carried single sends, and cost more CPU per message than it saved in wait).
 */
export const DEFAULT_SEND_BATCHING: GroupCommitOptions = { maxBatch: 100, concurrency: 1 };

export class BatchedSends {
  private readonly group: GroupCommit<SendRequest, Message>;

  constructor(
    private readonly store: MessageStore,
    private readonly outbox: Outbox,
    /** The one-by-one path, for sends a batch leaves out. */
    private readonly alone: (request: SendRequest) => Promise<Message>,
    options: GroupCommitOptions = DEFAULT_SEND_BATCHING,
    private readonly metrics?: MessageMetrics,
  ) {
    this.group = new GroupCommit((requests) => this.write(requests), options);
  }

  send(request: SendRequest): Promise<Message> {
    return this.group.submit(request);
  }

  private async write(requests: SendRequest[]): Promise<Outcome<Message>[]> {
    this.metrics?.sendBatchSize.observe(requests.length);
    const outcomes: Outcome<Message>[] = requests.map((request) => ({ alone: () => this.alone(request) }));
    let committing = false;
    try {
      const decided = await this.outbox.transaction(async (trx, emit, takeEvents) => {
        const decided = new Map<number, Outcome<Message>>();
        // Idempotency-Keys first (as one-by-one sends claim theirs before locking their chat).
        const keys = new Map<number, IdempotencyKey>();
        const seen = new Set<string>();
        requests.forEach(({ actor, meta }, i) => {
          if (!meta.idempotency) return;
          const key = agentKey(actor.agent_id, meta.idempotency);
          const id = `${key.scope}\u0000${key.key}`;
          if (seen.has(id)) return; // the same key twice in one batch: the second goes alone, after the first
          seen.add(id);
          keys.set(i, key);
        });
        const claims = await claimKeys<Message>(trx, [...keys.values()]);
        const candidates: number[] = [];
        requests.forEach(({ meta }, i) => {
          const key = keys.get(i);
          if (meta.idempotency && !key) return;
          const claim = key && keyClaimOf(claims, key);
          if (claim && !claim.claimed)
            decided.set(
              i,
              claim.fingerprint === key.fingerprint
                ? { value: claim.response }
                : { error: idempotencyKeyReused() },
            );
          else candidates.push(i);
        });
        // Then the chats, locked, and who is a member of them.
        const { chats, members, now } = await this.store.lockChatsForSends(
          trx,
          candidates.map((i) => ({ chatId: requests[i].input.chat_id, agentId: requests[i].actor.agent_id })),
        );
        const release: IdempotencyKey[] = [];
        const written: { index: number; message: Message }[] = [];
        const touched = new Map<string, ChatRow>();
        for (const i of candidates) {
          const { actor, input, meta } = requests[i];
          const chat = chats.get(input.chat_id);
          if (
            !now ||
            !chat ||
            chat.customer_id !== actor.customer_id ||
            chat.deleted ||
            !members.has(memberKey(chat.id, actor.agent_id))
          ) {
            const key = keys.get(i);
            if (key) release.push(key);
            continue; // done alone: it gets chat-manager's word and the right error
          }
          const tm = nextTimestampAfter(now, chat.clock);
          chat.clock = tm;
          chat.seq += 1;
          touched.set(chat.id, chat);
          const message = this.store.messageOf(
            {
              id: randomUUID(),
              customer_id: actor.customer_id,
              chat_id: chat.id,
              owner_type: "agent",
              owner_id: actor.agent_id,
              type: "normal",
              text: input.text ?? "",
              medias: input.medias ?? [],
            },
            tm,
          );
          emit({
            type: "chatmessage_created",
            customer_id: actor.customer_id,
            chat_id: chat.id,
            seq: chat.seq,
            time: tm,
            data: message,
            request_id: meta.requestId,
          });
          written.push({ index: i, message });
        }
        await releaseKeys(trx, release);
        const responses = written
          .filter((w) => keys.has(w.index))
          .map((w) => ({ key: keys.get(w.index)!, response: w.message }));
        await this.store.writeSends(trx, {
          messages: written.map((w) => w.message),
          chats: [...touched.values()],
          events: takeEvents(),
          also: responses.length > 0 ? [recordingResponses(responses)] : [],
        });
        for (const w of written) decided.set(w.index, { value: w.message });
        committing = true;
        return decided;
      });
      for (const [i, outcome] of decided) outcomes[i] = outcome;
      return outcomes;
    } catch (error) {
      // Failed before the commit: nothing of it happened, each send is done alone. A failed commit
      // leaves the outcome unknown: the senders get the error (and retry with their keys).
      if (committing) return requests.map(() => ({ error }));
      return outcomes;
    }
  }
}
