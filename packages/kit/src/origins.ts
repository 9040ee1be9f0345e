/**
 * Browser origins allowed to call the API from another origin (CORS) and to open the WebSocket:
 * parsed once from configuration, asked per request.
 */

/**
 * A comma-separated allow-list: each entry a web origin `scheme://host[:port]` (http or https, no
 * path), as a browser sends it in `Origin`, or `*` alone for any origin. Empty: none.
 */
export function parseOrigins(raw: string): { origins: readonly string[] } | { problem: string } {
  const entries = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.includes("*"))
    return entries.length === 1
      ? { origins: ["*"] }
      : { problem: `must be "*" alone or a list of origins, not both (got "${raw}")` };
  const origins: string[] = [];
  for (const entry of entries) {
    const origin = originOf(entry);
    if (!origin)
      return {
        problem: `must list origins as scheme://host[:port] (http or https, no path), e.g. https://app.example.com (got "${entry}")`,
      };
    origins.push(origin);
  }
  return { origins };
}

function originOf(entry: string): string | undefined {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return undefined;
  }
  const bare = url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password;
  const web = url.protocol === "http:" || url.protocol === "https:";
  return bare && web && !entry.endsWith("?") && !entry.endsWith("#") ? url.origin : undefined;
}

/** Whether an allow-list lets a page of `origin` in (`*` lets any in). */
export function allowsOrigin(allowed: readonly string[], origin: string): boolean {
  return allowed.includes("*") || allowed.includes(origin);
}
