/**
 * VoIPBIN's media field names (issue 12): VoIPBIN clients post `{"type":"link","link_url":…}` and
 * `{"type":"agent","agent_id":…}`. Talk accepts them and answers in its one documented form
 * (`{"type":"link","link":…}`, `{"type":"agent","agent":{"id":…}}`), so clients written for either
 * work unchanged. Applied to a posted body before it is validated; anything else is left as it is
 * (a media carrying both names keeps both, and validation names the extra field).
 */
type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** One media in Talk's form. */
export function canonicalMedia(media: unknown): unknown {
  if (!isObject(media)) return media;
  if (media.type === "link" && "link_url" in media && !("link" in media)) {
    const { link_url, ...rest } = media;
    return { ...rest, link: link_url };
  }
  if (media.type === "agent" && "agent_id" in media && !("agent" in media)) {
    const { agent_id, ...rest } = media;
    return { ...rest, agent: { id: agent_id } };
  }
  return media;
}

/** A posted message body with its medias in Talk's form (the body itself when it has none). */
export function withCanonicalMedias<T>(body: T): T {
  if (!isObject(body) || !Array.isArray(body.medias)) return body;
  return { ...body, medias: body.medias.map(canonicalMedia) } as T;
}
