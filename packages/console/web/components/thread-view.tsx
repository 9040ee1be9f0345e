/** A message and its replies, beside the chat. */
import type { Chat } from "@talk/client";
import type { ConsoleStore } from "../store";
import { Composer } from "./composer";
import { MessageItem } from "./message-item";
import { TypingLine } from "./presence";

export function ThreadView({ store, chat, parentId }: { store: ConsoleStore; chat: Chat; parentId: string }) {
  const messages = store.histories.get(chat.id)?.messages ?? [];
  const parent = messages.find((m) => m.id === parentId);
  const replies = store.thread(chat.id, parentId);
  return (
    <aside class="thread" aria-label="Thread">
      <header class="chat-header">
        <h1>Thread</h1>
        <button class="link" onClick={() => store.openThread(undefined)} aria-label="Close thread">
          ×
        </button>
      </header>
      <ol class="messages">
        {parent && <MessageItem store={store} message={parent} inThread />}
        <li class="muted divider">
          {replies.length} {replies.length === 1 ? "reply" : "replies"}
        </li>
        {replies.map((message) => (
          <MessageItem key={message.id} store={store} message={message} inThread />
        ))}
      </ol>
      <TypingLine text={store.typingText(chat.id, parentId)} />
      <Composer
        key={parentId}
        placeholder="Reply in thread"
        onSend={(text) => store.send(chat.id, text, parentId)}
        onTyping={() => store.typing(chat.id, parentId)}
      />
    </aside>
  );
}
