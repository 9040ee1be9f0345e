/** One message: author, time, text and medias (or its tombstone), reactions, and what I can do with it. */
import type { Media, Message } from "@talk/client";
import type { ConsoleStore } from "../store";

const QUICK_REACTIONS = ["👍", "❤️", "😄", "🎉"];
const NOT_DELETED = "9999-01-01 00:00:00.000000";

export function MessageItem({
  store,
  message,
  replies = 0,
  inThread = false,
}: {
  store: ConsoleStore;
  message: Message;
  replies?: number;
  inThread?: boolean;
}) {
  if (message.type === "system")
    return (
      <li class="message system" data-message-id={message.id}>
        {message.text} <time>{clock(message.tm_create)}</time>
      </li>
    );

  const deleted = message.tm_delete !== NOT_DELETED;
  const mine = message.owner_id === store.myId;
  const reactions = groupReactions(message, store.myId);
  return (
    <li class={`message${mine ? " mine" : ""}${deleted ? " deleted" : ""}`} data-message-id={message.id}>
      <div class="meta">
        <strong>{store.agentName(message.owner_id)}</strong>
        <time dateTime={message.tm_create.replace(" ", "T") + "Z"}>{clock(message.tm_create)}</time>
      </div>
      {deleted ? (
        <p class="text muted">This message was deleted.</p>
      ) : (
        <>
          {message.text && <p class="text">{message.text}</p>}
          {message.medias.length > 0 && (
            <ul class="medias">
              {message.medias.map((media, i) => (
                <li key={i}>{describeMedia(media)}</li>
              ))}
            </ul>
          )}
        </>
      )}
      {reactions.length > 0 && (
        <ul class="reactions" aria-label="Reactions">
          {reactions.map((r) => (
            <li key={r.emoji}>
              <button
                class={`reaction${r.mine ? " mine" : ""}`}
                onClick={() => void store.toggleReaction(message, r.emoji)}
                disabled={deleted}
                aria-label={`${r.emoji} ${r.count}`}
                aria-pressed={r.mine}
              >
                {r.emoji} {r.count}
              </button>
            </li>
          ))}
        </ul>
      )}
      {!deleted && (
        <div class="actions">
          {QUICK_REACTIONS.map((emoji) => (
            <button
              key={emoji}
              class="icon"
              onClick={() => void store.toggleReaction(message, emoji)}
              aria-label={`React ${emoji}`}
            >
              {emoji}
            </button>
          ))}
          {!inThread && (
            <button class="link" onClick={() => store.openThread(message.id)}>
              Reply
            </button>
          )}
          {mine && (
            <button class="link danger" onClick={() => void store.deleteMessage(message.id)}>
              Delete
            </button>
          )}
        </div>
      )}
      {!inThread && replies > 0 && (
        <button class="link replies" onClick={() => store.openThread(message.id)}>
          {replies} {replies === 1 ? "reply" : "replies"}
        </button>
      )}
    </li>
  );
}

function groupReactions(message: Message, me: string): { emoji: string; count: number; mine: boolean }[] {
  const groups = new Map<string, { emoji: string; count: number; mine: boolean }>();
  for (const reaction of message.metadata.reactions) {
    const group = groups.get(reaction.emoji) ?? { emoji: reaction.emoji, count: 0, mine: false };
    group.count++;
    group.mine ||= reaction.owner_id === me;
    groups.set(reaction.emoji, group);
  }
  return [...groups.values()];
}

function describeMedia(media: Media) {
  switch (media.type) {
    case "link":
      return /^https?:\/\//i.test(media.link) ? (
        <a href={media.link} target="_blank" rel="noopener noreferrer">
          {media.link}
        </a>
      ) : (
        media.link
      );
    case "file":
      return `📎 ${media.name ?? media.file_id}`;
    case "address":
      return `📍 ${media.address.name ?? media.address.target_name ?? media.address.target}`;
    case "agent":
      return `👤 ${media.agent.name ?? media.agent.id}`;
  }
}

/** A wire timestamp (UTC) as the viewer's local time of day. */
function clock(timestamp: string): string {
  const date = new Date(timestamp.slice(0, 23).replace(" ", "T") + "Z");
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
