/**
 * The signed-in layout. On a desktop, three panes: chats, the open chat, its thread. On a
 * tablet the chat list can be folded away and the thread lies over the chat. On a phone the list
 * and the chat are separate views (a chat opens over the list, "←" goes back). The banner says
 * when Talk cannot be reached; a live region tells screen readers about new messages.
 */
import type { TalkClient } from "@talk/client";
import { useEffect, useMemo, useState } from "preact/hooks";
import { ConsoleStore } from "../store";
import { useStore } from "../use-store";
import { ChatView } from "./chat-view";
import { ConnectionBanner } from "./connection-banner";
import { Sidebar } from "./sidebar";
import { ThreadView } from "./thread-view";

export function Console({ client, onSignOut }: { client: TalkClient; onSignOut: () => void }) {
  const store = useStore(useMemo(() => new ConsoleStore(client, onSignOut), [client, onSignOut]));
  const [sidebarHidden, setSidebarHidden] = useState(false);
  useEffect(() => {
    void store.start();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && store.threadId) store.openThread(undefined);
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      store.stop();
    };
  }, [store]);

  const open = store.openChat();
  const thread = open && store.threadId;
  const classes = [
    "console",
    open && "chat-open",
    thread && "thread-open",
    sidebarHidden && "sidebar-hidden",
  ];
  return (
    <div class={classes.filter(Boolean).join(" ")}>
      <Sidebar store={store} onSignOut={onSignOut} />
      <main class="chat">
        <ConnectionBanner status={store.status} waiting={store.sender.outbox.all().length} />
        {store.error && (
          <div class="banner" role="alert">
            <span>{store.error}</span>
            <button class="link" onClick={() => store.dismissError()} aria-label="Dismiss">
              ×
            </button>
          </div>
        )}
        {open ? (
          <ChatView
            store={store}
            chat={open.chat}
            gone={open.gone}
            onToggleSidebar={() => setSidebarHidden(!sidebarHidden)}
          />
        ) : (
          <div class="welcome">
            <h1>Talk</h1>
            <p class="muted">Pick a chat, browse the channels, or start a new chat.</p>
          </div>
        )}
      </main>
      {open && store.threadId && <ThreadView store={store} chat={open.chat} parentId={store.threadId} />}
      <p class="sr-only" aria-live="polite" aria-atomic="true">
        {store.announcement}
      </p>
    </div>
  );
}
