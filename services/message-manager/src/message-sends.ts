/**
 * Sending messages — the one way a message is written — with group commit. Concurrent sends are
 * written together: one transaction claims their Idempotency-Keys, locks their chats' replica rows
 * (in id order), reads who is a member and the messages replied to (one round trip), decides each
 * send (domain/sends.ts), and writes every message with its ordinal in its chat, its event, the
 * chats' new sequence numbers and message counts, the senders' own read marks and the keys'
 * responses with one statement, and commits once — two round trips to the database in all (a
 * FoldedTransaction: the BEGIN goes with the claims and the locks, the COMMIT with the writes; the
 * statements of both steps are prepared on each pooled session, planned once). The sends' charge to
 * their write budgets is one statement too, ahead of the BEGIN in the first round trip, in a
 * transaction of its own (it stands whatever becomes of the batch, as if made apart). Per chat the order, sequence numbers
 * and strictly increasing timestamps are exactly those of one-by-one sends: the chat's row is
 * locked while they are taken. Under no load a send is a batch of one.
 *
 * A send the replica cannot vouch for (its chat or membership is not, or not yet, in it) is left
 * out: chat-manager is asked, the replica given time to catch up, and the send goes into a later
 * batch, where the replica's word is final. A key that comes twice in one batch: the second goes
 * into a later batch, and gets the first one's answer. If a batch fails before its commit, each of
 * its sends is tried again in a batch of its own; if the commit itself fails, they fail (and are
 * retried by clients with their keys, as for any send).
 *
 * The files a batch attaches are asked of file-manager once, before the chats are locked
 * (file-lookup.ts): a send whose file media may not be attached is refused with a 400 naming the
 * media, and a written one shows each file's name, content type and size.
 */
import { randomUUID } from "node:crypto";
import type { CreateMessageRequest, Message, RequestContext } from "@talk/contracts";
import {
  type IdempotencyKey,
  type Outbox,
  type KeyClaim,
  type PendingCharge,
  type Statement,
  FoldedTransaction,
  agentKey,
  claimingKeys,
  idempotencyKeyReused,
  keyClaimOf,
  nextTimestampAfter,
  onServer,
  outcomeUnknown,
  preparedOnSession,
  recordingResponses,
  releasingKeys,
} from "@talk/db";
import { type TraceCarrier, traceContext } from "@talk/kit";
import { type MentionsInText, mentionsIn } from "./domain/mentions";
import { parentIdOf } from "./domain/message-rules";
import { decideSend, messageCreated, sentMessage } from "./domain/sends";
import { type FileAuthority, FileLookup, attachesFiles } from "./file-lookup";
import { GroupCommit, type GroupCommitOptions, type Outcome } from "./group-commit";
import type { MessageMetrics } from "./metrics";
import type { ReplicaMembership } from "./replica-membership";
import { type ChatRow, type MessageStore, type OwnRead, memberKey } from "./store/message-store";

interface Send {
  input: CreateMessageRequest;
  context: RequestContext;
  /** chat-manager was asked and the replica caught up: what the replica says is final. */
  confirmed: boolean;
  /** The trace of the request that sends (batches are written outside it). */
  trace: TraceCarrier;
  /**
   * Its charge to the write budgets once made; the send is decided once it answered (a refusal is
   * its answer). Until then (`pending`) the batch makes it, in its first round trip.
   */
  admitted?: Promise<void>;
  pending?: PendingCharge;
}

/**
 * A send's charge to its write budgets: made by the caller (its answer), or left to the batch
 * (`WriteBudget.pending`), which makes it in its first round trip — in a transaction of its own,
 * so that it does not roll back with the batch, as if made apart.
 */
export type Admission = Promise<void> | PendingCharge;

/** The charge's answer, made now if it was left to the batch. */
export const admissionAnswer = (admission: Admission): Promise<void> =>
  admission instanceof Promise ? admission : admission.budget.take(admission.actor);

/** The batch's charge was not granted in full: its transaction is rolled back and the charge settled apart. */
class PartlyGranted extends Error {
  constructor(readonly rows: Record<string, unknown>[]) {
    super("a batch's write budget charge was not granted in full");
  }
}

/**
 * One batch at a time per replica: while it is written the next one gathers (measured: a second
 * concurrent batch mostly carried single sends, and cost more CPU per message than it saved in wait).
 */
export const DEFAULT_SEND_BATCHING: GroupCommitOptions = { maxBatch: 100, concurrency: 1 };

export class BatchedSends {
  private readonly group: GroupCommit<Send, Message>;

  constructor(
    private readonly store: MessageStore,
    private readonly outbox: Outbox,
    private readonly membership: ReplicaMembership,
    private readonly files: FileAuthority,
    options: GroupCommitOptions = DEFAULT_SEND_BATCHING,
    private readonly metrics?: MessageMetrics,
  ) {
    this.group = new GroupCommit((sends) => this.write(sends), options);
  }

  /**
   * Sends a message (already checked to be postable); resolves once it is committed. `trace`: the
   * trace its event continues (default: the active one).
   */
  send(
    input: CreateMessageRequest,
    context: RequestContext,
    admission: Admission = Promise.resolve(),
    trace: TraceCarrier = traceContext(),
  ): Promise<Message> {
    if (admission instanceof Promise) {
      admission.catch(() => undefined); // a refusal is read by the batch, not left unhandled meanwhile
      return this.group.submit({ input, context, confirmed: false, trace, admitted: admission });
    }
    return this.group.submit({ input, context, confirmed: false, trace, pending: admission });
  }

  private async confirmThenSend(send: Send): Promise<Message> {
    await this.membership.confirm(send.context.actor, send.input.chat_id, send.context.requestId);
    return this.group.submit({ ...send, confirmed: true });
  }

  private async write(sends: Send[]): Promise<Outcome<Message>[]> {
    this.metrics?.sendBatchSize.observe(sends.length);
    // The files the batch attaches: one question to file-manager, before any chat is locked. If it
    // cannot answer, only the sends that attach files fail.
    let files: FileLookup | undefined;
    let filesFailure: unknown;
    try {
      files = await FileLookup.of(
        this.files,
        sends.map((send) => ({ customerId: send.context.actor.customer_id, medias: send.input.medias })),
        sends.find((send) => attachesFiles(send.input.medias))?.context.requestId,
      );
    } catch (error) {
      filesFailure = error;
    }
    return this.written(sends, files, filesFailure);
  }

  private async written(
    sends: Send[],
    files: FileLookup | undefined,
    filesFailure: unknown,
  ): Promise<Outcome<Message>[]> {
    // The charges left to the batch: one statement, ahead of the first round trip's BEGIN (in a
    // transaction of its own). When the group wants more than a bucket holds, each is charged
    // alone first.
    const charging: { index: number; charge: PendingCharge }[] = [];
    for (const [index, send] of sends.entries()) {
      if (send.admitted || !send.pending) continue;
      if (charging.length > 0 && send.pending.budget !== charging[0].charge.budget)
        send.admitted = admissionAnswer(send.pending); // another budget (not met in the service): apart
      else charging.push({ index, charge: send.pending });
    }
    const folded = charging[0]?.charge.budget.folding(charging.map(({ charge }) => charge.actor));
    const foldedSends = charging.map(({ index }) => index);
    if (folded && !folded.statement) {
      settle(sends, foldedSends, await folded.settle(undefined));
      return this.written(sends, files, filesFailure);
    }
    // The answers of charges made apart. On a server they are awaited after the first round trip
    // (they ran meanwhile on other connections of the pool); on PGlite, one connection in all, before it.
    const charges = Promise.allSettled(sends.map((send) => send.admitted ?? Promise.resolve()));
    for (const send of sends) send.admitted?.catch(() => undefined);
    if (!onServer(this.store.db)) await charges;
    const { emit, take } = this.outbox.collector();
    let committing = false;
    try {
      const outcomes = await FoldedTransaction.run(this.store.db, async (trx) => {
        const outcomes: Outcome<Message>[] = [];
        const later = (send: Send) => ({ alone: () => this.group.submit(send) });
        // A key that comes twice in the batch: the second waits for a later batch.
        const keys = new Map<number, IdempotencyKey>();
        const seen = new Set<string>();
        sends.forEach((send, i) => {
          const key = agentKey(send.context.actor.agent_id, send.context.idempotency);
          if (!key) return;
          const id = `${key.scope}\u0000${key.key}`;
          if (seen.has(id)) outcomes[i] = later(send);
          else keys.set(i, key);
          seen.add(id);
        });
        // One round trip with the BEGIN: the Idempotency-Keys claimed, then the chats locked, who is
        // a member of them (senders and mentioned agents; everyone for a <!here>), and the messages
        // replied to. The chat of a send whose key turns out used is locked too (and not written).
        const asked = sends.flatMap((_, i) => (outcomes[i] ? [] : [i]));
        const mentioned = new Map<number, MentionsInText>(
          asked.map((i) => [i, mentionsIn(sends[i].input.text ?? "")]),
        );
        const claiming = keys.size > 0 ? claimingKeys<Message>([...keys.values()]) : undefined;
        const locking = this.store.lockingChatsForSends(
          asked.map((i) => ({
            chatId: sends[i].input.chat_id,
            agentId: sends[i].context.actor.agent_id,
            parentId: parentIdOf(sends[i].input),
            mentioned: mentioned.get(i)?.ids,
            here: mentioned.get(i)?.here,
          })),
        );
        const answered = await trx.step(
          [...(claiming?.statements ?? []).map(preparedOnSession), ...locking.statements],
          { before: folded?.statement ? [preparedOnSession(folded.statement)] : [] },
        );
        // The batch's own charge: granted in full, or the batch starts again once it is settled.
        const results = folded ? answered.slice(1) : answered;
        if (folded) {
          if (!folded.granted(answered[0])) throw new PartlyGranted(answered[0]);
          for (const i of foldedSends) sends[i].admitted = Promise.resolve();
        }
        const claims = claiming
          ? claiming.read(results[0], results[1])
          : new Map<string, KeyClaim<Message>>();
        const facts = locking.read(results.slice(claiming ? 2 : 0));
        // The write budgets' answers (asked while the round trip above ran): a refused send is
        // answered so (its key, if this batch claimed it, given back), before anything else.
        const settled = await charges;
        const release: IdempotencyKey[] = [];
        // Then a repeat is answered without looking further.
        const candidates: number[] = [];
        for (const i of asked) {
          const key = keys.get(i);
          const claim = key && keyClaimOf(claims, key);
          const charge = settled[i];
          if (charge.status === "rejected") {
            outcomes[i] = { error: charge.reason };
            if (key && claim?.claimed) release.push(key);
          } else if (key && claim && !claim.claimed)
            outcomes[i] =
              claim.fingerprint === key.fingerprint
                ? { value: claim.response }
                : { error: idempotencyKeyReused() };
          else candidates.push(i);
        }
        const written: { index: number; message: Message; ordinal: number }[] = [];
        const reads = new Map<string, OwnRead>();
        const touched = new Map<string, ChatRow>();
        for (const i of candidates) {
          const send = sends[i];
          const { input, context } = send;
          const chat = facts.chats.get(input.chat_id);
          const parentId = parentIdOf(input);
          const decision = decideSend(
            context.actor,
            input,
            {
              chat,
              member: facts.members.has(memberKey(input.chat_id, context.actor.agent_id)),
              parent: parentId ? facts.parents.get(parentId) : undefined,
              mentions: mentioned.get(i),
              participants: {
                isMember: (agentId) => facts.members.has(memberKey(input.chat_id, agentId)),
                all: () => facts.everyone.get(input.chat_id) ?? [],
              },
            },
            send.confirmed,
          );
          if (!("write" in decision)) {
            const key = keys.get(i);
            if (key) release.push(key);
            outcomes[i] =
              "confirm" in decision
                ? { alone: () => this.confirmThenSend(send) }
                : { error: decision.refuse };
            continue;
          }
          let medias = input.medias ?? [];
          if (attachesFiles(medias))
            try {
              if (!files) throw filesFailure;
              medias = files.fill(context.actor.customer_id, medias);
            } catch (error) {
              const key = keys.get(i);
              if (key) release.push(key);
              outcomes[i] = { error };
              continue;
            }
          if (!chat || !facts.now) throw new Error("a send was decided without its chat's row and clock");
          chat.clock = nextTimestampAfter(facts.now, chat.clock);
          chat.seq += 1;
          chat.message_count += 1;
          touched.set(chat.id, chat);
          const message = sentMessage(
            randomUUID(),
            context.actor,
            { ...input, medias },
            chat.clock,
            decision.mentions,
          );
          emit({ ...messageCreated(message, chat.seq, context.requestId), ...send.trace });
          written.push({ index: i, message, ordinal: chat.message_count });
          // the sender has read its own message (a later one of the batch replaces an earlier)
          reads.set(memberKey(chat.id, context.actor.agent_id), {
            chat_id: chat.id,
            agent_id: context.actor.agent_id,
            ordinal: chat.message_count,
            message_id: message.id,
            tm: message.tm_create,
          });
          outcomes[i] = { value: message };
        }
        // One round trip with the COMMIT: keys given back, and every write of the batch as one statement.
        const also: Statement[] = release.length > 0 ? [releasingKeys(release)] : [];
        if (written.length > 0) {
          const responses = written.flatMap(({ index, message }) => {
            const key = keys.get(index);
            return key ? [{ key, response: message }] : [];
          });
          if (responses.length > 0) also.push(recordingResponses(responses));
          also.push(take());
        }
        committing = true;
        await trx.commit(
          written.length > 0
            ? [
                preparedOnSession(
                  this.store.writingSends({
                    messages: written.map(({ message, ordinal }) => ({ message, ordinal })),
                    chats: [...touched.values()],
                    reads: [...reads.values()],
                    also,
                  }),
                ),
              ]
            : also,
        );
        return outcomes;
      });
      if (outcomes.some((outcome) => outcome && "value" in outcome)) this.outbox.committed();
      return outcomes;
    } catch (error) {
      // The batch's charge was granted in part (its transaction rolled back, nothing else done):
      // what it took is given back and each send charged alone, in order, as `take` does; then the
      // batch is written again, its refused sends answered so.
      if (error instanceof PartlyGranted && folded) {
        settle(sends, foldedSends, await folded.settle(error.rows));
        return this.written(sends, files, filesFailure);
      }
      // A batch whose first round trip failed may or may not have made its charge: its sends that
      // are tried again are charged again (at most one token more per send, only when the database
      // failed a step).
      // Failed before the commit (a statement the server refused, even in the step with the
      // COMMIT: the COMMIT then did not run): nothing of it happened; each send is tried again on
      // its own (a send that fails alone fails). A connection lost during the step with the COMMIT
      // leaves the outcome unknown: the senders get the error (and retry with their keys).
      if ((committing && outcomeUnknown(error)) || sends.length === 1) return sends.map(() => ({ error }));
      return sends.map((send) => ({ alone: () => this.group.submitAlone(send) }));
    }
  }
}

/** The answers of the charges a batch settled apart, to its sends (`foldedSends`, in order). */
function settle(sends: Send[], foldedSends: number[], answers: PromiseSettledResult<void>[]): void {
  foldedSends.forEach((i, k) => {
    const answer = answers[k];
    sends[i].admitted = answer.status === "fulfilled" ? Promise.resolve() : Promise.reject(answer.reason);
    sends[i].admitted.catch(() => undefined);
  });
}
