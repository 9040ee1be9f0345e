/**
 * Wire timestamps: UTC strings `YYYY-MM-DD HH:MM:SS.ffffff` (microseconds).
 * The databases store `timestamp(6)` in UTC and hand back their text form, which this normalises.
 */
/** `tm_delete` of a resource that is not deleted. */
export const NOT_DELETED = "9999-01-01 00:00:00.000000";
export const isDeleted = (resource: { tm_delete: string }) => resource.tm_delete < NOT_DELETED;
/** `tm_edit` of a message never edited, `tm_pin` of a message not pinned: the same far-future sentinel. */
export const NOT_EDITED = NOT_DELETED;
export const NOT_PINNED = NOT_DELETED;
export const isPinned = (message: { tm_pin: string }) => message.tm_pin < NOT_PINNED;
export const TIMESTAMP_PATTERN = "^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}$";
const timestampRe = new RegExp(TIMESTAMP_PATTERN);

/** Normalises PostgreSQL's text form of a timestamp (fraction trimmed or absent) to six digits. */
export function normalizeTimestamp(text: string): string {
  const [date, time = "00:00:00"] = text
    .replace("T", " ")
    .replace(/(Z|[+-]\d{2}(:?\d{2})?)$/, "")
    .split(" ");
  const [hms, fraction = ""] = time.split(".");
  return `${date} ${hms}.${fraction.padEnd(6, "0").slice(0, 6)}`;
}

/** A wire timestamp naming a real instant: the shape, and a date and time that exist (no 2024-02-30). */
export function isTimestamp(value: string): boolean {
  if (!timestampRe.test(value)) return false;
  const [year, month, day, hour, minute, second] = value.split(/[- :.]/).map(Number);
  const daysInMonth = new Date(Date.UTC(2000 + (year % 400), month, 0)).getUTCDate();
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  );
}

/** A JavaScript Date as a wire timestamp (millisecond precision). */
export function formatDate(date: Date): string {
  return normalizeTimestamp(date.toISOString());
}
