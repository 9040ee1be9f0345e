/** Who I am and whether live updates flow; search; my chats; channels to browse and join; a new chat. */
import { useState } from "preact/hooks";
import type { PresenceStatus, RealtimeStatus } from "@talk/client";
import type { ConsoleStore } from "../store";
import { ChannelBrowser } from "./channel-browser";
import { ChatList } from "./chat-list";
import { NewChat } from "./new-chat";
import { PresenceDot } from "./presence";

const STATUS_TEXT: Record<RealtimeStatus, string> = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  offline: "offline (waiting for the network)",
  closed: "offline",
};
const MY_STATUSES: [PresenceStatus, string][] = [
  ["online", "Online"],
  ["away", "Away"],
  ["dnd", "Do not disturb"],
  ["offline", "Appear offline"],
];

export function Sidebar({ store, onSignOut }: { store: ConsoleStore; onSignOut: () => void }) {
  const [creating, setCreating] = useState(false);
  const [browsing, setBrowsing] = useState(false);
  return (
    <nav class="sidebar" aria-label="Chats">
      <header class="me">
        <div>
          <strong>{store.me ? store.me.name || store.me.username : store.client.identity.username}</strong>
          <span class={`status status-${store.status}`} title="live updates" role="status">
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

      <section aria-labelledby="chats-heading">
        <h2 id="chats-heading">
          Chats
          <button class="small" onClick={() => setCreating(!creating)} aria-expanded={creating}>
            {creating ? "Cancel" : "New chat"}
          </button>
        </h2>
        {creating && <NewChat store={store} onDone={() => setCreating(false)} />}
        <ChatList store={store} />
        {store.chats.size === 0 && <p class="small-text">No chats yet.</p>}
      </section>

      <section aria-labelledby="channels-heading">
        <h2 id="channels-heading">
          Channels
          <button class="small" onClick={() => setBrowsing(!browsing)} aria-expanded={browsing}>
            {browsing ? "Done" : "Browse"}
          </button>
        </h2>
        {browsing && <ChannelBrowser store={store} />}
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
