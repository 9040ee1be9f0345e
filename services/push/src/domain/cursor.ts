/**
 * The resume cursor: opaque to clients (base64url), it names a place in the event stream — the
 * position of an event (`offset`: see `StreamEntry`), the first 8 hex digits of that event's id (so
 * that a stream recreated or truncated under the same positions is noticed), and how many of this
 * connection's frames of that event were delivered when it gave more than one (`frames`; absent: all
 * of them). Position -1 is the place before the first event of an empty stream.
 */

export interface Cursor {
  offset: number;
  /** First 8 hex digits of the event id at `offset` (absent for offset -1). */
  tag?: string;
  /** Frames of this entry already delivered, when not all were. */
  frames?: number;
}

const VERSION = "v1";
const TAG = /^[0-9a-f]{8}$/;

export function tagOf(eventId: string): string {
  return eventId.replace(/-/g, "").slice(0, 8);
}

export function encodeCursor(cursor: Cursor): string {
  const parts = [VERSION, String(cursor.offset), cursor.tag ?? ""];
  if (cursor.frames !== undefined) parts.push(String(cursor.frames));
  return Buffer.from(parts.join("."), "utf8").toString("base64url");
}

/** The cursor in `text`, or undefined when it is not one this service issued. */
export function decodeCursor(text: string): Cursor | undefined {
  if (text.length === 0 || text.length > 128 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const parts = Buffer.from(text, "base64url").toString("utf8").split(".");
  if (parts[0] !== VERSION || parts.length < 3 || parts.length > 4) return undefined;
  const offset = Number(parts[1]);
  if (!/^(-1|\d{1,15})$/.test(parts[1]) || !Number.isSafeInteger(offset)) return undefined;
  const tag = parts[2];
  if (offset === -1 ? tag !== "" || parts.length !== 3 : !TAG.test(tag)) return undefined;
  if (parts.length === 4) {
    if (!/^[1-9]\d{0,3}$/.test(parts[3])) return undefined;
    return { offset, tag, frames: Number(parts[3]) };
  }
  return offset === -1 ? { offset } : { offset, tag };
}

/** The place before the first entry. */
export const BEFORE_FIRST: Cursor = { offset: -1 };
