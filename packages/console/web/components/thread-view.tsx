/** A message and its replies, beside the chat (over it on smaller screens). */
import type { Chat } from "@talk/client";
import type { ConsoleStore } from "../store";
import { Composer } from "./composer";
import { MessageItem, PendingItem } from "./message-item";
import { TypingLine } from "./presence";

export function ThreadView({ store, chat, parentId }: { store: ConsoleStore; chat: Chat; parentId: string }) {
  const history = store.histories.get(chat.id);
  const parent = history?.messages.find((m) => m.id === parentId);
  const replies = store.thread(chat.id, parentId);
  const inChat = new Set((history?.participants ?? []).map((p) => p.owner_id));
  const writable = store.chats.has(chat.id);
  return (
    <aside class="thread" aria-labelledby="thread-title">
      <header class="chat-header">
        <h2 id="thread-title">Thread</h2>
        <button class="link close" onClick={() => store.openThread(undefined)} aria-label="Close thread">
          ×
        </button>
      </header>
      <div class="messages" tabIndex={0} role="region" aria-label="Replies">
        <ol>
          {parent && <MessageItem store={store} message={parent} inThread />}
          <li class="muted divider">
            {replies.length} {replies.length === 1 ? "reply" : "replies"}
          </li>
          {replies.map((message) => (
            <MessageItem key={message.id} store={store} message={message} inThread />
          ))}
          {store.sender.outbox.inChat(chat.id, parentId).map((item) => (
            <PendingItem key={item.key} store={store} pending={item} />
          ))}
        </ol>
      </div>
      <TypingLine text={store.typingText(chat.id, parentId)} />
      <Composer
        label="Reply in thread"
        text={store.draftOf(chat.id, parentId)}
        onText={(text) => store.setDraft(chat.id, text, parentId)}
        onSend={(text) => void store.send(chat.id, text, parentId)}
        onTyping={() => store.typing(chat.id, parentId)}
        agents={[...store.agents.values()].filter((agent) => inChat.has(agent.id))}
        disabled={!writable}
        attachments={store.uploads.in(chat.id, parentId)}
        onAttach={(files) => store.uploads.attach(chat.id, files, parentId)}
        onRemoveAttachment={(key) => store.uploads.remove(chat.id, key, parentId)}
      />
    </aside>
  );
}
