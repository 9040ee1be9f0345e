/**
 * Read state, decided without I/O (docs/decisions/read-state.md). A member's mark is the ordinal of
 * the chat's message it has read up to (messages are numbered 1, 2, … per chat as they are written);
 * the chat counts its messages. So the unread count is one subtraction: every message after the
 * mark is by someone else, because a sender's mark moves to its own message as it is written.
 * Deleted messages keep their ordinal and stay in the count (they stay in the history, as
 * tombstones), so a deletion changes no count and every count stays exact.
 */
import type { ChatRead, ChatSummary, EventEnvelope, Message } from "@talk/contracts";

export interface ReadMark {
  /** The ordinal read up to (0: nothing read). */
  ordinal: number;
  messageId: string | null;
  tm: string | null;
}

export const NOTHING_READ: ReadMark = { ordinal: 0, messageId: null, tm: null };

/** Messages after the mark (by others: own messages are never after it). */
export function unreadCount(messageCount: number, readOrdinal: number): number {
  return Math.max(0, messageCount - readOrdinal);
}

/**
 * Where a mark goes when the reader reads up to `target` at `tm`: forward only. Undefined when it
 * stays (the target is at or before the mark, or the chat has no message to read).
 */
export function advanceMark(
  current: ReadMark,
  target: { ordinal: number; messageId: string } | undefined,
  tm: string,
): ReadMark | undefined {
  if (!target || target.ordinal <= current.ordinal) return undefined;
  return { ordinal: target.ordinal, messageId: target.messageId, tm };
}

/** The reader's mark as answered and announced. */
export function chatRead(
  reader: { customer_id: string; chat_id: string; agent_id: string },
  mark: ReadMark,
  messageCount: number,
  mentionCount: number,
): ChatRead {
  return {
    customer_id: reader.customer_id,
    chat_id: reader.chat_id,
    owner_type: "agent",
    owner_id: reader.agent_id,
    last_read_message_id: mark.messageId,
    tm_read: mark.tm,
    unread_count: unreadCount(messageCount, mark.ordinal),
    mention_count: mentionCount,
  };
}

/** A chat as one member sees it in a list; `mark` undefined: not a member (nothing to count). */
export function chatSummary(
  chatId: string,
  messageCount: number,
  mark: ReadMark | undefined,
  lastMessage: Message | null,
  mentionCount = 0,
): ChatSummary {
  return {
    chat_id: chatId,
    unread_count: mark ? unreadCount(messageCount, mark.ordinal) : 0,
    mention_count: mark ? mentionCount : 0,
    last_read_message_id: mark?.messageId ?? null,
    last_message: mark ? lastMessage : null,
  };
}

type ReadEvent = Pick<
  EventEnvelope<"chat_read" | "chatparticipant_read">,
  "type" | "customer_id" | "chat_id" | "seq" | "time" | "data"
> & { request_id?: string };

/**
 * The two events of a mark that moved, as the chat's events `seq + 1` and `seq + 2`: `chat_read`
 * for the reader's other devices, `chatparticipant_read` as a receipt for the participants.
 */
export function readEvents(read: ChatRead, seq: number, time: string, requestId?: string): ReadEvent[] {
  return (["chat_read", "chatparticipant_read"] as const).map((type, i) => ({
    type,
    customer_id: read.customer_id,
    chat_id: read.chat_id,
    seq: seq + i + 1,
    time,
    data: read,
    request_id: requestId,
  }));
}
