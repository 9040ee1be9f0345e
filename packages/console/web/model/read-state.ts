/**
 * What I have not read: an unread count and a mention count per chat, from the API's read state
 * (`unread_count`, `mention_count`) and kept current by live events; and, for a chat just
 * opened, where the "new messages" divider goes. No I/O: the store asks the API and tells this.
 */
import type { Chat, ChatRead, Message } from "@talk/client";
import { mentionsMe } from "./mentions";
import { firstUnreadId } from "./timeline";

export class ReadState {
  private readonly unread = new Map<string, number>();
  private readonly mentions = new Map<string, number>();
  /** The divider of each chat opened with something unread: the first unread message. */
  private readonly dividers = new Map<string, string>();
  /** The read marks the chats had when they were listed (where a divider goes on opening). */
  private readonly marks = new Map<string, string | null>();

  constructor(private readonly myId: string) {}

  unreadIn(chatId: string): number {
    return this.unread.get(chatId) ?? 0;
  }

  mentionsIn(chatId: string): number {
    return this.mentions.get(chatId) ?? 0;
  }

  dividerIn(chatId: string): string | undefined {
    return this.dividers.get(chatId);
  }

  /** A chat as the API answered it (its read state is the caller's). */
  listed(chat: Chat): void {
    if (typeof chat.unread_count === "number") this.unread.set(chat.id, chat.unread_count);
    if ("mention_count" in chat && typeof chat.mention_count === "number")
      this.mentions.set(chat.id, chat.mention_count);
    if (chat.last_read_message_id !== undefined) this.marks.set(chat.id, chat.last_read_message_id);
  }

  /** A new message arrived; `open`: its chat is in front of me (so I read it as it comes). */
  arrived(message: Message, open: boolean): void {
    if (message.owner_id === this.myId || open) return;
    this.unread.set(message.chat_id, this.unreadIn(message.chat_id) + 1);
    if (mentionsMe(message.text, this.myId))
      this.mentions.set(message.chat_id, this.mentionsIn(message.chat_id) + 1);
  }

  /** I open a chat whose history is `messages`: place the divider, then it counts as read. */
  opened(chatId: string, messages: Message[]): void {
    const first = firstUnreadId(messages, this.marks.get(chatId), this.unreadIn(chatId), this.myId);
    if (first) this.dividers.set(chatId, first);
    else this.dividers.delete(chatId);
    this.cleared(chatId, messages.at(-1)?.id ?? null);
  }

  /** Everything up to `lastId` is read (I am looking at it). */
  cleared(chatId: string, lastId: string | null): void {
    this.unread.set(chatId, 0);
    this.mentions.set(chatId, 0);
    this.marks.set(chatId, lastId);
  }

  /** `chat_read` from one of my devices. */
  read(mark: ChatRead): void {
    this.unread.set(mark.chat_id, mark.unread_count);
    if (mark.unread_count === 0) this.mentions.set(mark.chat_id, 0);
    this.marks.set(mark.chat_id, mark.last_read_message_id);
  }

  forget(chatId: string): void {
    this.unread.delete(chatId);
    this.mentions.delete(chatId);
    this.dividers.delete(chatId);
    this.marks.delete(chatId);
  }
}
