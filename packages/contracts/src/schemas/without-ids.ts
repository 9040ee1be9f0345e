/**
 * A schema without its `$id`s, at any depth: for embedding the contract's schemas in the API
 * documents, where an `$id` would make a reference resolver treat it as a separate resource.
 */
export function withoutIds<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(withoutIds) as T;
  if (typeof schema !== "object" || schema === null) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) if (key !== "$id") copy[key] = withoutIds(value);
  return copy as T;
}
