/**
 * One message: author and time (once per group of an author's messages), text as safe Markdown
 * with mentions, medias (or its tombstone), reactions, and what I can do with it; or a message of
 * mine still waiting to be sent.
 */
import type { Message, MessageVersion } from "@talk/client";
import { useState } from "preact/hooks";
import { mentionsMe } from "../model/mentions";
import type { PendingMessage } from "../model/outbox";
import type { ConsoleStore } from "../store";
import { MediaView } from "./media-view";
import { MessageText } from "./message-text";

const QUICK_REACTIONS = ["👍", "❤️", "😄", "🎉"];
const NOT_DELETED = "9999-01-01 00:00:00.000000";

export function MessageItem({
  store,
  message,
  replies = 0,
  inThread = false,
  continued = false,
}: {
  store: ConsoleStore;
  message: Message;
  replies?: number;
  inThread?: boolean;
  /** Follows a message of the same author: no header of its own. */
  continued?: boolean;
}) {
  if (message.type === "system")
    return (
      <li class="message system" data-message-id={message.id}>
        {message.text} <time>{clock(message.tm_create)}</time>
      </li>
    );

  const [editing, setEditing] = useState<string | undefined>(undefined);
  const [versions, setVersions] = useState<MessageVersion[] | undefined>(undefined);
  const deleted = message.tm_delete !== NOT_DELETED;
  const edited = message.tm_edit !== NOT_DELETED;
  const pinned = message.tm_pin !== NOT_DELETED;
  const mine = message.owner_id === store.myId;
  const reactions = groupReactions(message, store.myId);
  const classes = [
    "message",
    mine && "mine",
    deleted && "deleted",
    continued && "continued",
    store.focusId === message.id && "focused",
    !deleted && !mine && mentionsMe(message.text, store.myId) && "mentions-me",
  ];
  return (
    <li class={classes.filter(Boolean).join(" ")} data-message-id={message.id}>
      <div class="meta">
        <strong class={continued ? "sr-only" : undefined}>{store.agentName(message.owner_id)}</strong>
        <time dateTime={message.tm_create.replace(" ", "T") + "Z"}>{clock(message.tm_create)}</time>
        {pinned && (
          <span class="pinned" title={`Pinned by ${store.agentName(message.pinned_by)}`}>
            📌 pinned
          </span>
        )}
        {edited && !deleted && (
          <button
            class="link edited"
            title="Show earlier versions"
            onClick={() =>
              versions ? setVersions(undefined) : void store.versionsOf(message.id).then(setVersions)
            }
          >
            (edited)
          </button>
        )}
      </div>
      {versions && (
        <ol class="versions" aria-label="Earlier versions">
          {versions.map((v) => (
            <li key={v.tm_create} class="muted">
              <time>{clock(v.tm_create)}</time> {v.text}
            </li>
          ))}
        </ol>
      )}
      {deleted ? (
        <p class="text tombstone">This message was deleted.</p>
      ) : editing !== undefined ? (
        <form
          class="edit"
          onSubmit={(event) => {
            event.preventDefault();
            void store.editMessage(message.id, editing).then((ok) => ok && setEditing(undefined));
          }}
        >
          <input
            aria-label="Edit message"
            value={editing}
            onInput={(e) => setEditing(e.currentTarget.value)}
          />
          <button class="small" type="submit">
            Save
          </button>
          <button class="link" type="button" onClick={() => setEditing(undefined)}>
            Cancel
          </button>
        </form>
      ) : (
        <>
          {message.text && (
            <MessageText
              text={message.text}
              mentions={{ myId: store.myId, nameOf: (id) => store.agentName(id) }}
            />
          )}
          {message.medias.length > 0 && (
            <ul class="medias">
              {message.medias.map((media, i) => (
                <li key={i}>
                  <MediaView media={media} client={store.client} />
                </li>
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
          <button class="link" onClick={() => void store.togglePin(message)}>
            {pinned ? "Unpin" : "Pin"}
          </button>
          {mine && (
            <button class="link" onClick={() => setEditing(message.text)}>
              Edit
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

/** A message of mine not sent yet: Talk cannot be reached, it goes out when it can. */
export function PendingItem({ store, pending }: { store: ConsoleStore; pending: PendingMessage }) {
  return (
    <li class="message mine pending" data-pending-key={pending.key}>
      <div class="meta">
        <strong>{store.agentName(store.myId)}</strong>
        <span class="pending-note">
          {store.status === "live" ? "Sending…" : "Waiting for the connection…"}
        </span>
      </div>
      {pending.text && (
        <MessageText
          text={pending.text}
          mentions={{ myId: store.myId, nameOf: (id) => store.agentName(id) }}
        />
      )}
      {pending.medias && <p class="pending-note">📎 {pending.medias.length} attached</p>}
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

/** A wire timestamp (UTC) as the viewer's local time of day. */
function clock(timestamp: string): string {
  const date = new Date(timestamp.slice(0, 23).replace(" ", "T") + "Z");
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
