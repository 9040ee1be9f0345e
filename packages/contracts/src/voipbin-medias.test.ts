import { canonicalMedia, withCanonicalMedias } from "./voipbin-medias";

describe("VoIPBIN's media field names", () => {
  it("takes link_url as a link and agent_id as an agent", () => {
    expect(canonicalMedia({ type: "link", link_url: "https://voipbin.net" })).toEqual({
      type: "link",
      link: "https://voipbin.net",
    });
    expect(canonicalMedia({ type: "agent", agent_id: "47fe0b7c-7333-46cf-8b23-61e14e62490a" })).toEqual({
      type: "agent",
      agent: { id: "47fe0b7c-7333-46cf-8b23-61e14e62490a" },
    });
  });

  it("leaves Talk's own form, other types and ambiguous medias as they are", () => {
    const talk = { type: "link", link: "https://example.com" };
    const both = { type: "link", link: "https://a.example", link_url: "https://b.example" };
    const file = { type: "file", file_id: "x", link_url: "https://example.com" };
    for (const media of [talk, both, file, "text", null]) expect(canonicalMedia(media)).toBe(media);
  });

  it("rewrites only the medias of a body", () => {
    const body = { chat_id: "c", type: "normal", medias: [{ type: "link", link_url: "https://x.example" }] };
    expect(withCanonicalMedias(body)).toEqual({
      ...body,
      medias: [{ type: "link", link: "https://x.example" }],
    });
    expect(withCanonicalMedias({ text: "hi" })).toEqual({ text: "hi" });
  });
});
