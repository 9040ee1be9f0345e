/**
 * Marking a chat read. With the chat's replica row locked (the chat's events take their `seq` in
 * order, and the mark and the count are read together), the caller's mark moves forward to the
 * message named (default: the newest); when it moved, `chat_read` and `chatparticipant_read` go
 * through the outbox in the same transaction. Once per Idempotency-Key, like every write.
 */
import { type Actor, type ChatRead, type ChatSummary, type RequestContext, notFound } from "@talk/contracts";
import { type Outbox, agentKey, now } from "@talk/db";
import { assertChatVisible, assertMember } from "./domain/message-rules";
import { NOTHING_READ, advanceMark, chatRead, chatSummary, readEvents } from "./domain/read-state";
import type { ReplicaMembership } from "./replica-membership";
import type { MessageStore } from "./store/message-store";
import { mentionsAfter } from "./store/mention-store";
import type { ReadStore } from "./store/read-store";

export class ReadMarks {
  constructor(
    private readonly store: MessageStore,
    private readonly reads: ReadStore,
    private readonly outbox: Outbox,
    private readonly membership: ReplicaMembership,
  ) {}

  /** The caller's unread count, mark and last message of each chat (of the caller's customer). */
  async summaries(actor: Actor, chatIds: string[]): Promise<ChatSummary[]> {
    const stored = await this.reads.summaries(actor.customer_id, actor.agent_id, chatIds);
    return stored.map((s) => chatSummary(s.chatId, s.messageCount, s.mark, s.lastMessage, s.mentionCount));
  }

  async mark(chatId: string, messageId: string | undefined, context: RequestContext): Promise<ChatRead> {
    const { actor, requestId } = context;
    await this.membership.assertParticipant(actor, chatId, true, requestId);
    return this.outbox.transaction(
      async (trx, emit) => {
        const chat = await this.store.lockChat(trx, chatId, actor.customer_id);
        assertChatVisible(chat, actor, chatId, true);
        const current = await this.reads.mark(trx, chatId, actor.agent_id);
        assertMember(current !== undefined, chatId);
        let target: { messageId: string; ordinal: number } | undefined;
        if (messageId) {
          const found = await this.reads.messageOrdinal(trx, messageId);
          if (!found || found.chatId !== chatId)
            throw notFound("MESSAGE_NOT_FOUND", `No message ${messageId} exists in chat ${chatId}.`);
          target = { messageId, ordinal: found.ordinal };
        } else target = await this.reads.newest(trx, chatId);
        const count = await this.reads.messageCount(trx, chatId);
        const reader = { customer_id: actor.customer_id, chat_id: chatId, agent_id: actor.agent_id };
        const tm = await now(trx);
        const moved = advanceMark(current ?? NOTHING_READ, target, tm);
        const mark = moved ?? current ?? NOTHING_READ;
        const mentions = await mentionsAfter(trx, chatId, actor.agent_id, mark.messageId);
        if (!moved) return chatRead(reader, mark, count, mentions);
        await this.reads.setMark(trx, chatId, actor.agent_id, moved);
        const read = chatRead(reader, moved, count, mentions);
        const events = readEvents(read, chat.seq, tm, requestId);
        for (const event of events) emit(event);
        await this.store.updateChat(trx, chatId, { seq: chat.seq + events.length });
        return read;
      },
      agentKey(actor.agent_id, context.idempotency),
    );
  }
}
