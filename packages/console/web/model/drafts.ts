/**
 * What the agent has typed and not sent, per chat and per thread, kept in `localStorage` so it
 * survives switching chats, reloading, and the chat going away (removed from it, or deleted).
 */
import type { KeyValueStorage } from "./storage";

export class Drafts {
  constructor(
    private readonly storage: KeyValueStorage,
    /** Whose drafts: one agent's never show up for another signed in on the same browser. */
    private readonly agentId: string,
  ) {}

  private key(chatId: string, parentId?: string): string {
    return `talk.draft.${this.agentId}.${chatId}${parentId ? `.${parentId}` : ""}`;
  }

  get(chatId: string, parentId?: string): string {
    return this.storage.getItem(this.key(chatId, parentId)) ?? "";
  }

  set(chatId: string, text: string, parentId?: string): void {
    if (text) this.storage.setItem(this.key(chatId, parentId), text);
    else this.storage.removeItem(this.key(chatId, parentId));
  }
}
