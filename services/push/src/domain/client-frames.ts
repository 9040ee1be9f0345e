/**
 * Frames from clients: JSON text `{"type":"subscribe"|"unsubscribe","topics":[...],"id"?}`, and
 * `{"type":"ping","id"?}` (answered with `pong`). Anything else — binary, not JSON, another shape — becomes an error that says what is wrong.
 */
import {
  AppError,
  type ClientFrame,
  PUSH_LIMITS,
  type PingFrame,
  assertValid,
  clientFrameSchema,
  invalid,
  pingFrameSchema,
} from "@talk/contracts";

export type ParsedFrame =
  { ok: true; frame: ClientFrame | PingFrame } | { ok: false; error: AppError; id?: string | number };

const FRAME_TYPES = ["subscribe", "unsubscribe", "ping"];

export function parseClientFrame(data: Buffer | string, binary: boolean): ParsedFrame {
  if (binary)
    return {
      ok: false,
      error: invalid("BINARY_FRAME", "Frames must be JSON text; binary frames are not accepted."),
    };
  const text = typeof data === "string" ? data : data.toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      ok: false,
      error: invalid("MALFORMED_FRAME", 'The frame is not JSON: send {"type":"subscribe","topics":[...]}.'),
    };
  }
  const id = idOf(value);
  const type = typeof value === "object" && value !== null ? (value as { type?: unknown }).type : undefined;
  if (typeof type !== "string" || !FRAME_TYPES.includes(type))
    return {
      ok: false,
      error: invalid("MALFORMED_FRAME", `frame.type must be one of: ${FRAME_TYPES.join(", ")}.`),
      ...(id !== undefined ? { id } : {}),
    };
  try {
    if (type === "ping") {
      assertValid<PingFrame>(pingFrameSchema, value, "frame");
      return { ok: true, frame: value };
    }
    assertValid<ClientFrame>(clientFrameSchema, value, "frame");
    return { ok: true, frame: value };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return {
      ok: false,
      error: invalid("MALFORMED_FRAME", `${error.message}.`),
      ...(id !== undefined ? { id } : {}),
    };
  }
}

/** The correlation id of a frame, when it has a usable one (echoed in the answer). */
function idOf(value: unknown): string | number | undefined {
  if (typeof value !== "object" || value === null || !("id" in value)) return undefined;
  const id = (value as { id: unknown }).id;
  if (typeof id === "string" && id.length <= PUSH_LIMITS.idLength) return id;
  if (typeof id === "number" && Number.isSafeInteger(id)) return id;
  return undefined;
}
