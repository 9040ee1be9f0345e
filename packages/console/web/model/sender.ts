/**
 * Sending with nothing lost: a message goes out at once when Talk is reachable; when it is not
 * (the browser is offline, or every attempt failed to connect) it waits in the outbox with its
 * `Idempotency-Key` and is sent, once, when the connection is back. Messages wait behind each
 * other, so they arrive in the order written. A refusal (e.g. I was removed from the chat) puts
 * the text back into the chat's draft, so it is not lost either.
 */
import { type Message, TalkApiError, type TalkClient, TalkConnectionError } from "@talk/client";
import type { Drafts } from "./drafts";
import type { Outbox, PendingMessage } from "./outbox";
import type { FileMedia } from "./uploads";

export interface SenderEvents {
  delivered(message: Message): void;
  refused(pending: PendingMessage, error: TalkApiError): void;
  changed(): void;
}

export class Sender {
  private flushing?: Promise<void>;
  /** The message whose POST is out (one at a time: they wait behind each other). */
  private sending?: PendingMessage;

  constructor(
    private readonly client: TalkClient,
    readonly outbox: Outbox,
    private readonly drafts: Drafts,
    private readonly events: SenderEvents,
  ) {}

  /** Sends now, or queues when Talk cannot be reached (`reachable` false, or the attempt finds it so). */
  async send(
    chatId: string,
    text: string,
    parentId: string | undefined,
    medias: FileMedia[],
    reachable: boolean,
  ): Promise<void> {
    const pending: PendingMessage = {
      key: crypto.randomUUID(),
      chatId,
      text,
      ...(parentId ? { parentId } : {}),
      ...(medias.length ? { medias } : {}),
      at: new Date().toISOString(),
    };
    this.outbox.add(pending);
    this.events.changed();
    if (reachable) await this.flush();
  }

  /**
   * A message of mine arrived live. When it is the one whose POST is still out (its event can come
   * before the POST's answer), its pending row goes now: the chat never shows it twice, pending and
   * delivered. The POST's answer then finds nothing left to remove.
   */
  settle(message: Message): void {
    const sending = this.sending;
    if (
      sending &&
      sending.chatId === message.chat_id &&
      sending.parentId === (message.parent_id || undefined) &&
      sending.text === message.text
    ) {
      this.outbox.remove(sending.key);
      this.events.changed();
    }
  }

  /** Sends what waits, oldest first; stops at the first that cannot reach Talk (to retry later). */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async drain(): Promise<void> {
    for (let pending = this.outbox.all()[0]; pending; pending = this.outbox.all()[0]) {
      this.sending = pending;
      try {
        const message = await this.client.messages.send(
          {
            chat_id: pending.chatId,
            text: pending.text,
            ...(pending.parentId ? { parent_id: pending.parentId } : {}),
            ...(pending.medias ? { medias: pending.medias } : {}),
          },
          { idempotencyKey: pending.key },
        );
        this.outbox.remove(pending.key);
        this.events.delivered(message);
      } catch (error) {
        if (error instanceof TalkConnectionError || (error instanceof TalkApiError && isTransient(error)))
          return;
        this.outbox.remove(pending.key);
        const draft = this.drafts.get(pending.chatId, pending.parentId);
        this.drafts.set(pending.chatId, draft ? `${pending.text}\n${draft}` : pending.text, pending.parentId);
        if (error instanceof TalkApiError) this.events.refused(pending, error);
        else throw error;
      } finally {
        this.sending = undefined;
        this.events.changed();
      }
    }
  }
}

/** Answers that say "not now" rather than "no": the message waits and is sent again. */
function isTransient(error: TalkApiError): boolean {
  return (
    error.httpStatus === 503 ||
    error.httpStatus === 429 ||
    error.httpStatus === 502 ||
    error.httpStatus === 504
  );
}
