/** Errors of express itself and its body parsers, each a client's mistake named as such. */
import { AppError } from "@talk/contracts";

/** The AppError that names what the client did wrong, or undefined when `error` is not one of ours to name. */
export function clientErrorOfHttp(error: unknown): AppError | undefined {
  if (!error || typeof error !== "object") return undefined;
  if (error instanceof URIError)
    // express could not decode a path parameter
    return new AppError(
      "INVALID_ARGUMENT",
      "MALFORMED_PATH",
      "The request path has invalid percent-encoding (like %ZZ).",
    );
  const { type, code } = error as { type?: unknown; code?: unknown };
  if (typeof code === "string" && code.startsWith("Z_"))
    return new AppError(
      "INVALID_ARGUMENT",
      "MALFORMED_BODY_ENCODING",
      "The request body does not match its Content-Encoding (gzip, deflate or br).",
    );
  switch (type) {
    case "entity.too.large":
      return new AppError(
        "PAYLOAD_TOO_LARGE",
        "BODY_TOO_LARGE",
        "The request body is larger than the limit.",
      );
    case "entity.parse.failed":
      return new AppError("INVALID_ARGUMENT", "MALFORMED_JSON", "The request body is not valid JSON.");
    case "encoding.unsupported":
    case "charset.unsupported":
      return new AppError(
        "INVALID_ARGUMENT",
        "UNSUPPORTED_ENCODING",
        "The request body's encoding is not supported.",
      );
    default:
      return undefined;
  }
}
