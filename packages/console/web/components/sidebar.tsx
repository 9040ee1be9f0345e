/** Who I am and whether live updates flow; my chats; channels to join; a new chat. */
import { useState } from "preact/hooks";
import type { PresenceStatus, RealtimeStatus } from "@talk/client";
import type { ConsoleStore } from "../store";
import { NewChat } from "./new-chat";
import { PresenceDot } from "./presence";

const STATUS_TEXT: Record<RealtimeStatus, string> = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  offline: "offline (waiting for the network)",
  closed: "offline",
};
const TYPE_MARK = { direct: "@", group: "•", talk: "#" } as const;
const MY_STATUSES: [PresenceStatus, string][] = [
  ["online", "Online"],
  ["away", "Away"],
  ["dnd", "Do not disturb"],
  ["offline", "Appear offline"],
];

export function Sidebar({ store, onSignOut }: { store: ConsoleStore; onSignOut: () => void }) {
  const [creating, setCreating] = useState(false);
  const channels = store.joinableChannels();
  return (
    <nav class="sidebar" aria-label="Chats">
      <header class="me">
        <div>
          <strong>{store.me ? store.me.name || store.me.username : store.client.identity.username}</strong>
          <span class={`status status-${store.status}`} title="live updates">
            {STATUS_TEXT[store.status]}
          </span>
          <label class="my-status">
            <PresenceDot status={store.presenceOf(store.myId)} />
            <select
              aria-label="My status"
              value={store.presenceOf(store.myId)}
              onChange={(e) => {
                const chosen = MY_STATUSES.find(([value]) => value === e.currentTarget.value);
                if (chosen) void store.setStatus(chosen[0]);
              }}
            >
              {MY_STATUSES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <button class="link" onClick={onSignOut}>
          Sign out
        </button>
      </header>

      <Search store={store} />

      <section>
        <h2>
          Chats
          <button class="small" onClick={() => setCreating(!creating)} aria-expanded={creating}>
            {creating ? "Cancel" : "New chat"}
          </button>
        </h2>
        {creating && <NewChat store={store} onDone={() => setCreating(false)} />}
        <ul class="chat-list">
          {store.chatList().map((chat) => (
            <li key={chat.id}>
              <button
                class={`chat-item${chat.id === store.openChatId ? " active" : ""}`}
                onClick={() => void store.open(chat.id)}
                aria-current={chat.id === store.openChatId ? "true" : undefined}
              >
                <span class="mark">{TYPE_MARK[chat.type]}</span>
                <span class="title">{store.chatTitle(chat)}</span>
                {store.unread.has(chat.id) && <span class="unread" aria-label="unread" />}
              </button>
            </li>
          ))}
        </ul>
        {store.chats.size === 0 && <p class="muted small-text">No chats yet.</p>}
      </section>

      <section>
        <h2>
          Channels
          <button
            class="small"
            onClick={() => void store.refreshChannels()}
            aria-label="Refresh channels"
            title="Refresh channels"
          >
            ↻
          </button>
        </h2>
        <ul class="chat-list">
          {channels.map((channel) => (
            <li key={channel.id} class="channel">
              <span class="mark">#</span>
              <span class="title">{store.chatTitle(channel)}</span>
              <button
                class="small"
                onClick={() => void store.join(channel.id)}
                aria-label={`Join ${store.chatTitle(channel)}`}
              >
                Join
              </button>
            </li>
          ))}
        </ul>
        {channels.length === 0 && <p class="muted small-text">No other channels.</p>}
      </section>
    </nav>
  );
}

/** A search of my chats' messages (and the public channels); a hit opens its message in its chat. */
function Search({ store }: { store: ConsoleStore }) {
  const [q, setQ] = useState("");
  return (
    <section class="search">
      <form
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          void store.searchMessages(q);
        }}
      >
        <input
          type="search"
          aria-label="Search messages"
          placeholder="Search messages"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
      </form>
      {store.search && (
        <ul class="hits" aria-label="Search results">
          {store.search.hits.length === 0 && <li class="muted">Nothing found.</li>}
          {store.search.hits.map((hit) => (
            <li key={hit.message.id}>
              <button class="link hit" onClick={() => void store.openHit(hit)}>
                <span class="muted">{store.agentName(hit.message.owner_id)}:</span>{" "}
                {/* the snippet is HTML-escaped by the API, with <mark> around the matches */}
                <span dangerouslySetInnerHTML={{ __html: hit.snippet }} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
