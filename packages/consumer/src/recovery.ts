/**
 * Recovering a gap through the HTTP API: the chat's messages since the last event handled before
 * it, as they are now, read with the SDK (`messages.list`, newest first, page by page). The API has
 * no event log, so what it gives back is state, not the missing events: messages created (and, in
 * their current form, edited or deleted) since then; chat and participant changes are not in it.
 */
import type { TalkClient } from "@talk/client";
import type { Message } from "@talk/contracts";
import type { Gap } from "./event-consumer";

export interface ApiRecoveryOptions {
  /** A client allowed to read the gap's chat (an admin of its customer). */
  client: (gap: Gap) => TalkClient | Promise<TalkClient>;
  /** Receives the messages, oldest first; the chat goes on once it resolves. */
  onMessages: (gap: Gap, messages: Message[]) => Promise<void>;
  /** At most this many messages are read when the gap's start time is not known (default 1000). */
  maxMessages?: number;
}

export function recoverMessagesThroughApi(options: ApiRecoveryOptions): (gap: Gap) => Promise<void> {
  return async (gap) => {
    const client = await options.client(gap);
    const messages: Message[] = [];
    for await (const message of client.messages.list(gap.chat_id)) {
      if (gap.after !== undefined && message.tm_create < gap.after) break;
      messages.push(message);
      if (gap.after === undefined && messages.length >= (options.maxMessages ?? 1000)) break;
    }
    await options.onMessages(gap, messages.reverse());
  };
}
