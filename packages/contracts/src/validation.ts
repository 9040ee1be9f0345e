/**
 * One ajv instance for the whole system. Schemas are compiled once, on first use, and cached.
 * Validation errors become one INVALID_ARGUMENT that names the field and says why.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { invalid } from "./errors";
import { UUID_PATTERN } from "./schemas/common";

export const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, discriminator: true });
addFormats(ajv);

const compiled = new WeakMap<object, ValidateFunction>();

export function compile(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    const { $id: _ignored, ...anonymous } = schema as { $id?: string };
    fn = ajv.compile(anonymous);
    compiled.set(schema, fn);
  }
  return fn;
}

function describe(error: ErrorObject, where: string): string {
  const path = error.instancePath.replace(/^\//, "").replace(/\//g, ".");
  const field = path ? `${where}.${path}` : where;
  switch (error.keyword) {
    case "required":
      return `${where}${path ? "." + path : ""}.${String(error.params.missingProperty)} is required`;
    case "additionalProperties":
      return `${field} has an unknown field "${String(error.params.additionalProperty)}"`;
    case "pattern":
      if (error.params.pattern === UUID_PATTERN) return `${field} must be a lowercase UUID`;
      if (String(error.params.pattern).startsWith("^\\d{4}"))
        return `${field} must be a timestamp like 2024-01-17 10:30:00.000000`;
      if (String(error.params.pattern).startsWith("^[Hh][Tt]"))
        return `${field} must be an absolute http:// or https:// URL`;
      return `${field} has an invalid format`;
    case "enum":
      return `${field} must be one of: ${(error.params.allowedValues as unknown[]).join(", ")}`;
    case "const":
      return `${field} must be ${JSON.stringify(error.params.allowedValue)}`;
    case "maxLength":
      return `${field} must be at most ${String(error.params.limit)} characters`;
    case "minLength":
      return Number(error.params.limit) === 1
        ? `${field} must not be empty`
        : `${field} must be at least ${String(error.params.limit)} characters`;
    case "maxItems":
      return `${field} must have at most ${String(error.params.limit)} items`;
    case "minProperties":
      return `${field} must have at least one field to change`;
    case "discriminator":
      return error.params.error === "mapping"
        ? `${field}.type must be one of the known types`
        : `${field}.type is required`;
    case "oneOf":
    case "anyOf":
      return `${field} does not match any allowed shape`;
    default:
      return `${field} ${error.message ?? "is invalid"}`;
  }
}

/**
 * The one rule for strings, everywhere a value is validated: no U+0000 and no unpaired UTF-16
 * surrogate. PostgreSQL cannot store the first, and the second would come back as U+FFFD — not
 * "exactly as sent". (In a `u` regular expression a surrogate range matches only unpaired ones.)
 */
const UNSTORABLE = /[\u0000\ud800-\udfff]/u;

/**
 * The path (`medias.0.link`) of the first string — value or key — that breaks the string rule. The
 * common case — nothing breaks it — walks the value without building a path per field (every
 * validated request, reply and event goes through here); the path is worked out only for a value
 * that has such a string.
 */
export function unstorableStringAt(value: unknown): string | undefined {
  return hasUnstorableString(value) ? unstorablePath(value) : undefined;
}

function hasUnstorableString(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === "string") {
      if (UNSTORABLE.test(current)) return true;
    } else if (Array.isArray(current)) {
      for (const item of current) pending.push(item);
    } else if (current !== null && typeof current === "object") {
      for (const key of Object.keys(current)) {
        if (UNSTORABLE.test(key)) return true;
        pending.push((current as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

function unstorablePath(value: unknown): string | undefined {
  const pending: { value: unknown; path: string }[] = [{ value, path: "" }];
  const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value: current, path } = next;
    if (typeof current === "string") {
      if (UNSTORABLE.test(current)) return path;
    } else if (Array.isArray(current)) {
      current.forEach((item, i) => pending.push({ value: item, path: join(path, i) }));
    } else if (current !== null && typeof current === "object") {
      for (const [key, item] of Object.entries(current)) {
        if (UNSTORABLE.test(key)) return join(path, "(a field name)");
        pending.push({ value: item, path: join(path, key) });
      }
    }
  }
  return undefined;
}

/** Validates `value` against `schema`; throws INVALID_ARGUMENT naming the offending field. */
export function assertValid<T>(schema: object, value: unknown, where = "body"): asserts value is T {
  const validate = compile(schema);
  if (!validate(value)) {
    const first = validate.errors?.[0];
    throw invalid("INVALID_ARGUMENT", first ? describe(first, where) : `${where} is invalid`);
  }
  const bad = unstorableStringAt(value);
  if (bad !== undefined)
    throw invalid(
      "INVALID_ARGUMENT",
      `${bad ? `${where}.${bad}` : where} must not contain U+0000 or an unpaired UTF-16 surrogate`,
    );
}

export function validate<T>(schema: object, value: unknown, where = "body"): T {
  assertValid<T>(schema, value, where);
  return value;
}
