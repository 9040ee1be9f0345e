/**
 * Mentions (issue 12), without I/O: `<@agent_id>` in a message's text mentions that agent, as in
 * Slack; `<!here>` mentions every other participant of the chat. A message's `mentions` are the
 * participants it mentions, each once, in the order of the text (those of `<!here>` after, in id
 * order). Only participants can be mentioned: an unknown id, or an agent not in the chat, is a 400
 * that names it. See docs/decisions/mentions.md.
 */
import { UUID_RE, invalid } from "@talk/contracts";

/** `<@…>`: anything but spaces and angle brackets between `<@` and `>` is taken as a mention. */
const MENTION = /<@([^<>\s]+)>/g;
const HERE = "<!here>";

/** What a text mentions, before anyone is asked who the participants are. */
export interface MentionsInText {
  /** The agent ids of `<@…>`, lower case, each once, in the order of the text. */
  ids: string[];
  /** Whether `<!here>` is in the text. */
  here: boolean;
}

export const NO_MENTIONS: MentionsInText = { ids: [], here: false };

/** Reads the mentions of a text; a `<@…>` that is not an agent id is a 400 that names it. */
export function mentionsIn(text: string): MentionsInText {
  const ids: string[] = [];
  for (const [, raw] of text.matchAll(MENTION)) {
    const id = raw.toLowerCase();
    if (!UUID_RE.test(id))
      throw invalid(
        "MENTION_NOT_PARTICIPANT",
        `body.text mentions <@${raw.slice(0, 64)}>, which is not an agent id: write <@agent_id> to mention a participant.`,
      );
    if (!ids.includes(id)) ids.push(id);
  }
  return { ids, here: text.includes(HERE) };
}

/** Who the participants of a chat are, as far as resolving mentions needs. */
export interface Participants {
  isMember(agentId: string): boolean;
  /** Every participant (read only when the text has `<!here>`). */
  all(): readonly string[];
}

/**
 * The message's `mentions`: the ids named, then (for `<!here>`) every other participant. `isMember`
 * says who is a participant now; `kept`: mentions the message already had (an edit may keep
 * mentioning an agent who has since left). A named id that is neither refuses the whole message.
 */
export function resolveMentions(
  mentions: MentionsInText,
  sender: string,
  participants: Participants,
  kept: readonly string[] = [],
): string[] {
  const strangers = mentions.ids.filter((id) => !participants.isMember(id) && !kept.includes(id));
  if (strangers.length > 0)
    throw invalid(
      "MENTION_NOT_PARTICIPANT",
      `body.text mentions ${strangers.map((id) => `<@${id}>`).join(", ")}, not ${strangers.length === 1 ? "a participant" : "participants"} of this chat: only participants can be mentioned.`,
    );
  if (!mentions.here) return mentions.ids;
  const others = [...participants.all()].filter((id) => id !== sender && !mentions.ids.includes(id)).sort();
  return [...mentions.ids, ...others];
}
