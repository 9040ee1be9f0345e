/**
 * Messages sent while Talk could not be reached: each keeps the `Idempotency-Key` of its first
 * attempt, so however often it is retried the server creates it once. Kept in `localStorage`
 * (a reload does not lose them) and shown in their chat as pending until they are delivered.
 */
import type { KeyValueStorage } from "./storage";
import type { FileMedia } from "./uploads";

export interface PendingMessage {
  /** The Idempotency-Key of every attempt, and the pending row's id. */
  key: string;
  chatId: string;
  parentId?: string;
  text: string;
  /** Files uploaded before it was sent. */
  medias?: FileMedia[];
  /** When it was written (ISO), to show and to order. */
  at: string;
}

export class Outbox {
  private items: PendingMessage[];

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly agentId: string,
  ) {
    this.items = this.read();
  }

  private get storageKey(): string {
    return `talk.outbox.${this.agentId}`;
  }

  private read(): PendingMessage[] {
    try {
      const parsed: unknown = JSON.parse(this.storage.getItem(this.storageKey) ?? "[]");
      return Array.isArray(parsed) ? parsed.filter(isPending) : [];
    } catch {
      return [];
    }
  }

  private write(): void {
    if (this.items.length) this.storage.setItem(this.storageKey, JSON.stringify(this.items));
    else this.storage.removeItem(this.storageKey);
  }

  all(): readonly PendingMessage[] {
    return this.items;
  }

  inChat(chatId: string, parentId?: string): PendingMessage[] {
    return this.items.filter((item) => item.chatId === chatId && item.parentId === parentId);
  }

  add(item: PendingMessage): void {
    this.items = [...this.items, item];
    this.write();
  }

  remove(key: string): void {
    this.items = this.items.filter((item) => item.key !== key);
    this.write();
  }
}

function isPending(value: unknown): value is PendingMessage {
  if (typeof value !== "object" || value === null) return false;
  const item = value as Record<string, unknown>;
  return (
    typeof item.key === "string" &&
    typeof item.chatId === "string" &&
    typeof item.text === "string" &&
    typeof item.at === "string" &&
    (item.parentId === undefined || typeof item.parentId === "string") &&
    (item.medias === undefined || (Array.isArray(item.medias) && item.medias.every(isFileMedia)))
  );
}

function isFileMedia(value: unknown): value is FileMedia {
  if (typeof value !== "object" || value === null) return false;
  const media = value as Record<string, unknown>;
  return media.type === "file" && typeof media.file_id === "string";
}
