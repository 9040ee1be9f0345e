/**
 * One chat: its header (who is in it, its details), its messages, and a composer holding the
 * chat's draft. When I am removed from the chat or it is deleted while I look at it, it stays on
 * screen saying so, and my draft stays too.
 */
import type { Chat } from "@talk/client";
import { useEffect, useRef, useState } from "preact/hooks";
import type { ChatGone, ConsoleStore } from "../store";
import { ChatDetails } from "./chat-details";
import { Composer } from "./composer";
import { MessageList } from "./message-list";
import { PresenceDot, TypingLine } from "./presence";

const KIND = { direct: "Direct chat", group: "Private group", talk: "Public channel" } as const;
const GONE: Record<ChatGone, string> = {
  removed: "You were removed from this chat. Your draft is kept below; copy it before you leave.",
  deleted: "This chat was deleted. Your draft is kept below; copy it before you leave.",
};

export function ChatView({
  store,
  chat,
  gone,
  onToggleSidebar,
}: {
  store: ConsoleStore;
  chat: Chat;
  gone?: ChatGone;
  onToggleSidebar: () => void;
}) {
  const [details, setDetails] = useState(false);
  const composer = useRef<HTMLTextAreaElement>(null);
  const participants = store.histories.get(chat.id)?.participants ?? [];
  const inChat = new Set(participants.map((p) => p.owner_id));
  const title = store.chatTitle(chat);

  useEffect(() => {
    setDetails(false);
    if (window.matchMedia("(pointer: fine)").matches) composer.current?.focus({ preventScroll: true });
  }, [chat.id]);

  const [dropping, setDropping] = useState(false);
  const drop = {
    onDragOver: (event: DragEvent) => {
      if (gone || !event.dataTransfer?.types.includes("Files")) return;
      event.preventDefault();
      setDropping(true);
    },
    onDragLeave: () => setDropping(false),
    onDrop: (event: DragEvent) => {
      setDropping(false);
      const files = [...(event.dataTransfer?.files ?? [])];
      if (gone || files.length === 0) return;
      event.preventDefault();
      store.uploads.attach(chat.id, files);
    },
  };

  return (
    <section class={`chat-view${dropping ? " dropping" : ""}`} aria-labelledby="chat-title" {...drop}>
      <header class="chat-header">
        <button class="icon back" onClick={() => store.close()} aria-label="Back to chats">
          ←
        </button>
        <button class="icon sidebar-toggle" onClick={onToggleSidebar} aria-label="Show or hide the chat list">
          ☰
        </button>
        <div class="chat-heading">
          <h1 id="chat-title">{title}</h1>
          <p class="muted">
            {KIND[chat.type]} · {chat.member_count} {chat.member_count === 1 ? "member" : "members"}
            {chat.detail && ` · ${chat.detail}`}
          </p>
        </div>
        <ul class="participants" aria-label="Participants">
          {participants.map((p) => (
            <li key={p.id} class="chip">
              <PresenceDot status={store.presenceOf(p.owner_id)} />
              {store.agentName(p.owner_id)}
            </li>
          ))}
        </ul>
        {!gone && (
          <button class="small" onClick={() => setDetails(!details)} aria-expanded={details}>
            Details
          </button>
        )}
      </header>
      {gone && (
        <p class="notice" role="alert">
          {GONE[gone]}
        </p>
      )}
      {details && !gone && <ChatDetails store={store} chat={chat} onClose={() => setDetails(false)} />}
      <Pins store={store} chatId={chat.id} />
      <MessageList store={store} chat={chat} />
      <TypingLine text={store.typingText(chat.id)} />
      <Composer
        composerRef={composer}
        label={`Message ${title}`}
        text={store.draftOf(chat.id)}
        onText={(text) => store.setDraft(chat.id, text)}
        onSend={(text) => void store.send(chat.id, text)}
        onTyping={() => store.typing(chat.id)}
        agents={[...store.agents.values()].filter((agent) => inChat.has(agent.id))}
        disabled={gone !== undefined}
        attachments={store.uploads.in(chat.id)}
        onAttach={(files) => store.uploads.attach(chat.id, files)}
        onRemoveAttachment={(key) => store.uploads.remove(chat.id, key)}
      />
    </section>
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
