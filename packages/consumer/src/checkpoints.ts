/**
 * Where a consumer keeps, per chat, the last event it handled: the `seq` to go on from (and so to
 * notice what is missing after a restart) and its `time` (what a gap's recovery reads from).
 * Keep it beside your own data, ideally written in the transaction of your handler's effects.
 */
export interface ChatCheckpoint {
  seq: number;
  /** The handled event's `time`. */
  time: string;
}

export interface Checkpoints {
  get(chatId: string): Promise<ChatCheckpoint | undefined>;
  set(chatId: string, checkpoint: ChatCheckpoint): Promise<void>;
}

/** Checkpoints in this process's memory: right for tests and for handlers that keep no state. */
export class MemoryCheckpoints implements Checkpoints {
  private readonly chats = new Map<string, ChatCheckpoint>();

  async get(chatId: string): Promise<ChatCheckpoint | undefined> {
    return this.chats.get(chatId);
  }

  async set(chatId: string, checkpoint: ChatCheckpoint): Promise<void> {
    this.chats.set(chatId, checkpoint);
  }
}
