/** The signed-in layout: chats and channels on the left, the open chat, and its open thread. */
import type { TalkClient } from "@talk/client";
import { useEffect, useMemo } from "preact/hooks";
import { ConsoleStore } from "../store";
import { useStore } from "../use-store";
import { ChatView } from "./chat-view";
import { Sidebar } from "./sidebar";
import { ThreadView } from "./thread-view";

export function Console({ client, onSignOut }: { client: TalkClient; onSignOut: () => void }) {
  const store = useStore(useMemo(() => new ConsoleStore(client, onSignOut), [client, onSignOut]));
  useEffect(() => {
    void store.start();
    return () => store.stop();
  }, [store]);

  const chat = store.openChatId ? store.chats.get(store.openChatId) : undefined;
  return (
    <div class="console">
      <Sidebar store={store} onSignOut={onSignOut} />
      <main class="chat">
        {store.error && (
          <div class="banner" role="alert">
            <span>{store.error}</span>
            <button class="link" onClick={() => store.dismissError()} aria-label="Dismiss">
              ×
            </button>
          </div>
        )}
        {chat ? (
          <ChatView store={store} chat={chat} />
        ) : (
          <p class="empty muted">Pick a chat, join a channel, or start a new chat.</p>
        )}
      </main>
      {chat && store.threadId && <ThreadView store={store} chat={chat} parentId={store.threadId} />}
    </div>
  );
}
