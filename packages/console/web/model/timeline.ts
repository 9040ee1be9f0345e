/**
 * How a chat's messages are laid out, without the DOM: a date separator where the day changes, a
 * "new messages" divider before the first message I have not read, and consecutive messages of one
 * author shown as one group (only the first with the author's name). Pure, so it is unit tested.
 */
import type { Message } from "@talk/client";

export type TimelineRow =
  | { kind: "date"; key: string; label: string }
  | { kind: "new"; key: string }
  | { kind: "message"; key: string; message: Message; continued: boolean };

/** Messages of one author closer together than this belong to one group. */
export const GROUP_GAP_MS = 5 * 60_000;
const NOT_DELETED = "9999-01-01 00:00:00.000000";

/** A wire timestamp (`2026-12-02 00:30:44.123456`, UTC) as a Date. */
export function wireDate(timestamp: string): Date {
  return new Date(timestamp.slice(0, 23).replace(" ", "T") + "Z");
}

const dayKey = (date: Date) => `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;

/** "Today", "Yesterday", or the date (with the year when it is not this year's), in local time. */
export function dayLabel(date: Date, now: Date): string {
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  if (dayKey(date) === dayKey(now)) return "Today";
  if (dayKey(date) === dayKey(yesterday)) return "Yesterday";
  return date.toLocaleDateString("en", {
    weekday: "long",
    month: "long",
    day: "numeric",
    ...(date.getFullYear() === now.getFullYear() ? {} : { year: "numeric" }),
  });
}

function joinsGroup(previous: Message | undefined, message: Message): boolean {
  if (!previous) return false;
  const regular = (m: Message) => m.type === "normal" && m.tm_delete === NOT_DELETED;
  return (
    regular(previous) &&
    regular(message) &&
    previous.owner_id === message.owner_id &&
    wireDate(message.tm_create).getTime() - wireDate(previous.tm_create).getTime() < GROUP_GAP_MS
  );
}

/** The rows to show for `messages` (oldest first), with the divider before `firstUnreadId`. */
export function timelineRows(
  messages: Message[],
  firstUnreadId: string | undefined,
  now: Date,
): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let day = "";
  let previous: Message | undefined;
  for (const message of messages) {
    const date = wireDate(message.tm_create);
    let breaks = false;
    if (dayKey(date) !== day) {
      day = dayKey(date);
      rows.push({ kind: "date", key: `date-${day}`, label: dayLabel(date, now) });
      breaks = true;
    }
    if (message.id === firstUnreadId) {
      rows.push({ kind: "new", key: "new-messages" });
      breaks = true;
    }
    rows.push({
      kind: "message",
      key: message.id,
      message,
      continued: !breaks && joinsGroup(previous, message),
    });
    previous = message;
  }
  return rows;
}

/**
 * Where the "new messages" divider goes when a chat is opened: the first top-level message by
 * someone else after my read mark. When the mark is older than the loaded page, the newest
 * `unreadCount` messages are the unread ones.
 */
export function firstUnreadId(
  messages: Message[],
  lastReadId: string | null | undefined,
  unreadCount: number,
  myId: string,
): string | undefined {
  if (unreadCount <= 0) return undefined;
  const mark = lastReadId ? messages.findIndex((m) => m.id === lastReadId) : -1;
  const unread =
    mark >= 0 ? messages.slice(mark + 1) : messages.slice(Math.max(0, messages.length - unreadCount));
  return unread.find((m) => m.owner_id !== myId && !m.parent_id)?.id;
}
