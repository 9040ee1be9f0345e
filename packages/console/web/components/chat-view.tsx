/** One chat: who is in it, its history (older pages on demand), and a composer. */
import type { Chat } from "@talk/client";
import { useEffect, useRef, useState } from "preact/hooks";
import type { ConsoleStore } from "../store";
import { Composer } from "./composer";
import { MessageItem } from "./message-item";
import { PresenceDot, TypingLine } from "./presence";

const KIND = { direct: "Direct chat", group: "Private group", talk: "Public channel" } as const;

export function ChatView({ store, chat }: { store: ConsoleStore; chat: Chat }) {
  const history = store.histories.get(chat.id);
  const messages = history?.messages ?? [];
  const topLevel = messages.filter((m) => !m.parent_id);
  const list = useRef<HTMLOListElement>(null);
  const newest = topLevel.at(-1)?.id;

  // Follow new messages at the bottom, as a chat does.
  useEffect(() => {
    const element = list.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [chat.id, newest]);

  return (
    <section class="chat-view" aria-label={store.chatTitle(chat)}>
      <header class="chat-header">
        <div>
          <h1>{store.chatTitle(chat)}</h1>
          <p class="muted">
            {KIND[chat.type]} · {chat.member_count} {chat.member_count === 1 ? "member" : "members"}
            {chat.detail && ` · ${chat.detail}`}
          </p>
        </div>
        <Participants store={store} chat={chat} />
      </header>
      <Pins store={store} chatId={chat.id} />

      <ol class="messages" ref={list} aria-label="Messages">
        {history?.olderToken && (
          <li class="older">
            <button class="small" onClick={() => void store.loadOlder(chat.id)} disabled={history.loading}>
              {history.loading ? "Loading…" : "Load older messages"}
            </button>
          </li>
        )}
        {!history?.loading && topLevel.length === 0 && (
          <li class="muted empty">No messages yet: say hello.</li>
        )}
        {topLevel.map((message) => (
          <MessageItem
            key={message.id}
            store={store}
            message={message}
            replies={store.thread(chat.id, message.id).length}
          />
        ))}
      </ol>

      <TypingLine text={store.typingText(chat.id)} />
      <Composer
        key={chat.id}
        placeholder={`Message ${store.chatTitle(chat)}`}
        onSend={(text) => store.send(chat.id, text)}
        onTyping={() => store.typing(chat.id)}
      />
    </section>
  );
}

function Participants({ store, chat }: { store: ConsoleStore; chat: Chat }) {
  const [adding, setAdding] = useState("");
  const participants = store.histories.get(chat.id)?.participants ?? [];
  const inChat = new Set(participants.map((p) => p.owner_id));
  const addable = [...store.agents.values()].filter((agent) => !inChat.has(agent.id));
  return (
    <div class="participants">
      <ul aria-label="Participants">
        {participants.map((p) => (
          <li key={p.id} class="chip">
            <PresenceDot status={store.presenceOf(p.owner_id)} />
            {store.agentName(p.owner_id)}
          </li>
        ))}
      </ul>
      {chat.type !== "direct" && addable.length > 0 && (
        <form
          class="add-participant"
          onSubmit={(event) => {
            event.preventDefault();
            if (adding) void store.addParticipant(chat.id, adding).then(() => setAdding(""));
          }}
        >
          <select aria-label="Agent to add" value={adding} onChange={(e) => setAdding(e.currentTarget.value)}>
            <option value="">Add someone…</option>
            {addable.map((agent) => (
              <option key={agent.id} value={agent.id}>
                {agent.name || agent.username}
              </option>
            ))}
          </select>
          <button class="small" type="submit" disabled={!adding}>
            Add
          </button>
        </form>
      )}
    </div>
  );
}

/** The chat's pinned messages, newest pin first. */
function Pins({ store, chatId }: { store: ConsoleStore; chatId: string }) {
  const pins = store.pins.get(chatId) ?? [];
  if (pins.length === 0) return null;
  return (
    <aside class="pins" aria-label="Pinned messages">
      <strong>📌 Pinned</strong>
      <ul>
        {pins.map((m) => (
          <li key={m.id}>
            <span class="muted">{store.agentName(m.owner_id)}:</span> {m.text}
          </li>
        ))}
      </ul>
    </aside>
  );
}
