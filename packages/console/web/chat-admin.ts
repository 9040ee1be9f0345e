/**
 * Managing chats from the console: creating, joining, renaming, adding and removing participants,
 * leaving and deleting — and whether to offer each (the API has the last word and says why it
 * refuses). Changes land in the store; a chat I leave or delete myself goes without a notice.
 */
import type { Chat, CreateChatRequest, Participant } from "@talk/client";
import type { ConsoleStore } from "./store";

export class ChatAdmin {
  constructor(private readonly store: ConsoleStore) {}

  /** May I delete this chat? (Its creator, a customer admin, or either agent of a direct chat; the API decides.) */
  mayDelete(chat: Chat): boolean {
    return (
      chat.type === "direct" ||
      this.store.me?.permission === "admin" ||
      this.creatorOf(chat) === this.store.myId
    );
  }

  /** May I rename it? (A channel: its creator or an admin; a group: any participant.) */
  mayRename(chat: Chat): boolean {
    if (chat.type === "direct") return false;
    return (
      chat.type === "group" ||
      this.store.me?.permission === "admin" ||
      this.creatorOf(chat) === this.store.myId
    );
  }

  /** Who created the chat, as far as its participants tell (the first to join). */
  private creatorOf(chat: Chat): string | undefined {
    const participants = this.store.histories.get(chat.id)?.participants ?? [];
    return [...participants].sort((a, b) => a.tm_joined.localeCompare(b.tm_joined))[0]?.owner_id;
  }

  async createChat(request: CreateChatRequest): Promise<void> {
    await this.store.attempt(async () => {
      const chat = await this.store.client.chats.create(request);
      this.store.remember(chat);
      if (chat.type === "talk") await this.store.refreshChannels();
      await this.store.open(chat.id);
    });
  }

  async join(chatId: string): Promise<void> {
    await this.store.attempt(async () => {
      await this.store.client.chats.join(chatId);
      this.store.remember(await this.store.client.chats.get(chatId));
      await this.store.open(chatId);
    });
  }

  async addParticipant(chatId: string, agentId: string): Promise<void> {
    await this.store.attempt(async () => {
      await this.store.client.participants.add(chatId, agentId);
      await this.store.refreshChat(chatId);
    });
  }

  async removeParticipant(chatId: string, participant: Participant): Promise<void> {
    await this.store.attempt(async () => {
      await this.store.client.participants.remove(chatId, participant.id);
      await this.store.refreshChat(chatId);
    });
  }

  /** I leave the chat: it leaves my list (my draft stays, should I come back). */
  async leave(chat: Chat): Promise<void> {
    const mine = this.store.histories.get(chat.id)?.participants.find((p) => p.owner_id === this.store.myId);
    if (!mine) return;
    this.store.dropping.add(chat.id);
    await this.store.attempt(async () => {
      await this.store.client.participants.remove(chat.id, mine.id);
      this.store.update(() => this.store.forget(chat.id));
      await this.store.refreshChannels();
    });
    this.store.dropping.delete(chat.id);
  }

  async rename(chatId: string, name: string): Promise<boolean> {
    return this.store.attempt(async () =>
      this.store.remember(await this.store.client.chats.update(chatId, { name })),
    );
  }

  async deleteChat(chatId: string): Promise<void> {
    this.store.dropping.add(chatId);
    await this.store.attempt(async () => {
      await this.store.client.chats.delete(chatId);
      this.store.update(() => this.store.forget(chatId));
      await this.store.refreshChannels();
    });
    this.store.dropping.delete(chatId);
  }
}
