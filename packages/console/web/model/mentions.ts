/**
 * Mentions in a message's text, as Slack writes them: `<@agent id>` names one agent, `<!here>`
 * everyone in the chat. Pure: the renderer splits text with it, the store counts my mentions.
 */
export const MENTION = /<@([0-9a-fA-F-]{36})>|<!here>/g;

export type TextPart = { text: string } | { mention: string } | { here: true };

export function splitMentions(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(MENTION)) {
    if (match.index > at) parts.push({ text: text.slice(at, match.index) });
    parts.push(match[1] ? { mention: match[1].toLowerCase() } : { here: true });
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

/** True when the text mentions me (by id, or everyone with `<!here>`). */
export function mentionsMe(text: string, myId: string): boolean {
  return splitMentions(text).some(
    (part) => "here" in part || ("mention" in part && part.mention === myId.toLowerCase()),
  );
}

/** The text as the composer shows it: `@Name` for `<@id>` (used for previews and announcements). */
export function plainText(text: string, nameOf: (agentId: string) => string): string {
  return splitMentions(text)
    .map((part) => ("text" in part ? part.text : "here" in part ? "@here" : `@${nameOf(part.mention)}`))
    .join("");
}

/** What I type → what is sent: `@username` → `<@agent id>`, `@here` → `<!here>`; the rest as typed. */
export function withMentions(text: string, agents: Iterable<{ id: string; username: string }>): string {
  const byName = new Map([...agents].map((agent) => [agent.username.toLowerCase(), agent.id]));
  return text.replace(/(^|\s)@([\w.-]+)/g, (match: string, space: string, name: string) => {
    if (name.toLowerCase() === "here") return `${space}<!here>`;
    const id = byName.get(name.toLowerCase());
    return id ? `${space}<@${id}>` : match;
  });
}
