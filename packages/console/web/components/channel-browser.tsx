/**
 * The customer's public channels, to find and join: searchable by name, with member counts, and
 * kept current while open (refreshed every few seconds, and on every channel event I get).
 */
import { useEffect, useState } from "preact/hooks";
import type { ConsoleStore } from "../store";

const REFRESH_MS = 10_000;

export function ChannelBrowser({ store }: { store: ConsoleStore }) {
  const [q, setQ] = useState("");
  useEffect(() => {
    void store.refreshChannels();
    const timer = setInterval(() => void store.refreshChannels(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [store]);
  const wanted = q.trim().toLowerCase();
  const channels = store.channels
    .filter((channel) => !wanted || `${channel.name} ${channel.detail}`.toLowerCase().includes(wanted))
    .sort((a, b) => a.name.localeCompare(b.name));
  return (
    <section class="channel-browser" aria-label="Browse channels">
      <input
        type="search"
        aria-label="Find a channel"
        placeholder="Find a channel"
        value={q}
        onInput={(e) => setQ(e.currentTarget.value)}
      />
      <ul class="chat-list">
        {channels.map((channel) => {
          const joined = store.chats.has(channel.id);
          const title = store.chatTitle(channel);
          return (
            <li key={channel.id} class="channel">
              <span class="mark" aria-hidden="true">
                #
              </span>
              <span class="title">
                {title}
                <span class="count">
                  {channel.member_count} {channel.member_count === 1 ? "member" : "members"}
                </span>
              </span>
              {joined ? (
                <button
                  class="small"
                  onClick={() => void store.open(channel.id)}
                  aria-label={`Open ${title}`}
                >
                  Open
                </button>
              ) : (
                <button
                  class="small"
                  onClick={() => void store.admin.join(channel.id)}
                  aria-label={`Join ${title}`}
                >
                  Join
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {channels.length === 0 && (
        <p class="small-text">{wanted ? "No channel matches." : "No channels yet."}</p>
      )}
    </section>
  );
}
