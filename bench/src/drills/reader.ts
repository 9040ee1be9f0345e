/**
 * A careful WebSocket reader, as a client should be: subscribed to every chat it is in, it keeps
 * the cursor of the last frame, and on any disconnection reconnects — to the next push replica —
 * with that cursor and subscribes again. It records every event frame it gets.
 */
import { sleep } from "../lib/stats";
import { type Frame, WsClient } from "../lib/ws-clients";

export interface ReceivedEvent {
  chatId: string;
  seq: number;
  type: string;
  /** The message id, for message events. */
  id?: string;
  /** The participant's agent, for participant events. */
  owner?: string;
  /** Date.now() at receipt. */
  at: number;
}

const EVENT_TYPES = new Set([
  "chat_created",
  "chat_updated",
  "chat_deleted",
  "chatparticipant_added",
  "chatparticipant_removed",
  "chatmessage_created",
  "chatmessage_deleted",
  "chatmessage_reaction_updated",
]);

export class Reader {
  readonly events: ReceivedEvent[] = [];
  cursor: string | undefined;
  reconnects = 0;
  resyncs = 0;
  connectErrors = 0;
  private client: WsClient | undefined;
  private stopped = false;
  private replica: number;

  constructor(
    readonly agentId: string,
    private readonly token: string,
    private readonly pushUrls: () => string[],
    first: number,
  ) {
    this.replica = first;
  }

  /** Connects and subscribes (retrying, bounded); afterwards it stays connected by itself. */
  async start(): Promise<void> {
    await this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.client?.close();
  }

  private async connect(): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (let attempt = 0; !this.stopped; attempt++) {
      const urls = this.pushUrls();
      const url = urls[this.replica % urls.length];
      try {
        const client = await WsClient.connect(WsClient.pushUrl(url, this.token, this.cursor), 5000);
        client.onFrame = (frame) => this.onFrame(frame);
        this.client = client;
        const answer = await client.subscribe([`agent_id:${this.agentId}:chat`], 10_000);
        this.cursor ??= answer.cursor;
        client.ws.once("close", () => {
          if (this.stopped) return;
          this.reconnects++;
          this.replica++; // resume on the next replica
          void sleep(100).then(() => this.connect());
        });
        return;
      } catch {
        this.connectErrors++;
        this.client?.close();
        this.replica++;
        if (Date.now() > deadline)
          throw new Error(`reader ${this.agentId} could not reconnect for 2 minutes`);
        await sleep(Math.min(100 * 2 ** attempt, 2000));
      }
    }
  }

  private onFrame(frame: Frame): void {
    if (frame.type === "resync_required") {
      this.resyncs++;
      this.cursor = frame.cursor;
      return;
    }
    if (!EVENT_TYPES.has(frame.type) || frame.seq === undefined || !frame.data) return;
    const chatId = frame.type.startsWith("chat_") ? String(frame.data.id) : String(frame.data.chat_id);
    this.events.push({
      chatId,
      seq: frame.seq,
      type: frame.type,
      ...(frame.type.startsWith("chatmessage_") ? { id: String(frame.data.id) } : {}),
      ...(frame.type.startsWith("chatparticipant_") ? { owner: String(frame.data.owner_id) } : {}),
      at: Date.now(),
    });
    if (frame.cursor) this.cursor = frame.cursor;
  }
}
