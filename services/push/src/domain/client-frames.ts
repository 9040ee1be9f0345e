/**
 * Frames from clients: JSON text `{"type":"subscribe"|"unsubscribe","topics":[...],"id"?}`,
 * `{"type":"ping","id"?}` (answered with `pong`), `{"type":"typing","chat_id","parent_id"?}` and
 * `{"type":"activity"}`. Anything else — binary, not JSON, another shape — becomes an error that
 * says what is wrong.
 */
import {
  AppError,
  type AnyClientFrame,
  CLIENT_FRAME_TYPES,
  type ClientFrameType,
  PUSH_LIMITS,
  assertValid,
  clientFrameSchemas,
  invalid,
} from "@talk/contracts";

export type ParsedFrame =
  { ok: true; frame: AnyClientFrame } | { ok: false; error: AppError; id?: string | number };

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
  const malformed = (message: string): ParsedFrame => ({
    ok: false,
    error: invalid("MALFORMED_FRAME", message),
    ...(id !== undefined ? { id } : {}),
  });
  const type = typeOf(value);
  if (!type) return malformed(`frame.type must be one of: ${CLIENT_FRAME_TYPES.join(", ")}.`);
  try {
    assertValid<AnyClientFrame>(clientFrameSchemas[type], value, "frame");
    return { ok: true, frame: value };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return malformed(`${error.message}.`);
  }
}

function typeOf(value: unknown): ClientFrameType | undefined {
  if (typeof value !== "object" || value === null || !("type" in value)) return undefined;
  const type = (value as { type: unknown }).type;
  return CLIENT_FRAME_TYPES.find((known) => known === type);
}

/** The correlation id of a frame, when it has a usable one (echoed in the answer). */
function idOf(value: unknown): string | number | undefined {
  if (typeof value !== "object" || value === null || !("id" in value)) return undefined;
  const id = (value as { id: unknown }).id;
  if (typeof id === "string" && id.length <= PUSH_LIMITS.idLength) return id;
  if (typeof id === "number" && Number.isSafeInteger(id)) return id;
  return undefined;
}
