/** file-manager's product rules, pure: names, who may read or delete, byte ranges, download headers. */
import { type Actor, type FileInfo, type FileState, AppError, invalid } from "@talk/contracts";

export const MAX_NAME_LENGTH = 255;
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** A file's name as kept: the last path segment, control characters dropped, at most 255 characters. */
export function cleanName(raw: string | undefined): string {
  const name = (raw ?? "").replace(CONTROL, "").split(/[\\/]/).pop()?.trim() ?? "";
  if (!name)
    throw invalid(
      "FILE_NAME_MISSING",
      "Name the file: ?name= on a raw upload, or a filename in the form part.",
    );
  if (name.length > MAX_NAME_LENGTH)
    throw invalid("FILE_NAME_TOO_LONG", `The file name is longer than ${MAX_NAME_LENGTH} characters.`);
  return name;
}

/** The declared content type, or application/octet-stream; must look like type/subtype. */
export function cleanContentType(raw: string | undefined): string {
  const value = (raw ?? "").trim();
  if (!value) return "application/octet-stream";
  if (value.length > 255 || !/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(value))
    throw invalid("CONTENT_TYPE_INVALID", `"${value.slice(0, 80)}" is not a media type like image/png.`);
  return value;
}

export const tooLarge = (maxBytes: number) =>
  new AppError(
    "PAYLOAD_TOO_LARGE",
    "FILE_TOO_LARGE",
    `The file is larger than the limit of ${maxBytes} bytes; nothing was kept.`,
  );

/**
 * Who may read a file: its uploader always; anyone else of its customer only when a live message
 * referencing it is in a chat they are in (message-manager knows: "ask"); another customer never.
 */
export function readAccess(file: Pick<FileInfo, "customer_id" | "owner_id">, actor: Actor) {
  if (file.customer_id !== actor.customer_id) return "hidden" as const;
  if (file.owner_id === actor.agent_id) return "owner" as const;
  return "ask" as const;
}

export const NOT_DELETED = "9999-01-01 00:00:00.000000";
export const isDeleted = (file: Pick<FileInfo, "tm_delete">) => file.tm_delete !== NOT_DELETED;

/**
 * What a message of `customerId` attaching a file finds: only a `ready` file may be attached. Another
 * customer's file is `missing`, exactly like one that never existed.
 */
export function attachState(
  file: (Pick<FileInfo, "customer_id" | "tm_delete"> & { uploading: boolean }) | undefined,
  customerId: string,
): FileState {
  if (!file || file.customer_id !== customerId) return "missing";
  if (file.uploading) return "uploading";
  return isDeleted(file) ? "deleted" : "ready";
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * An HTTP Range header against a size: undefined for the whole body (no header, or one this does
 * not serve, such as several ranges), a range, or "unsatisfiable" (416).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

/** Content-Disposition for a download: always attachment (never rendered as a page of the API's origin). */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
