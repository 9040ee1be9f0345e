/**
 * Pins (issue 12), without I/O: any participant pins or unpins a message of the chat; a chat holds
 * at most LIMITS.pinsPerChat pins; pinning a pinned message (or unpinning one that is not) changes
 * nothing.
 */
import { LIMITS, type Message, NOT_PINNED, conflict, invalid, isDeleted, isPinned } from "@talk/contracts";

export const MAX_PINS_PER_CHAT = LIMITS.pinsPerChat;

export type PinChange = { pin: true } | { unchanged: true };

/** Whether pinning `message` changes anything, in a chat that holds `pinned` pins now. */
export function decidePin(message: Message, pinned: number): PinChange {
  if (isPinned(message)) return { unchanged: true };
  if (isDeleted(message))
    throw invalid("MESSAGE_DELETED", `Message ${message.id} was deleted; it cannot be pinned.`);
  if (pinned >= MAX_PINS_PER_CHAT)
    throw conflict(
      "TOO_MANY_PINS",
      `Chat ${message.chat_id} already has ${MAX_PINS_PER_CHAT} pinned messages, the most a chat holds; unpin one first.`,
    );
  return { pin: true };
}

export const pinnedMessage = (message: Message, agentId: string, tm: string): Message => ({
  ...message,
  pinned_by: agentId,
  tm_pin: tm,
});

export const unpinnedMessage = (message: Message): Message => ({
  ...message,
  pinned_by: "",
  tm_pin: NOT_PINNED,
});
