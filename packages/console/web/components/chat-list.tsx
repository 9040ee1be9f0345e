/**
 * My chats, most recently active first, each with its unread count (bold while unread) and an
 * "@" when I am mentioned. Alt+↑ / Alt+↓ anywhere switch to the previous or next chat.
 */
import { useEffect } from "preact/hooks";
import type { ConsoleStore } from "../store";

const TYPE_MARK = { direct: "@", group: "•", talk: "#" } as const;

export function ChatList({ store }: { store: ConsoleStore }) {
  const chats = store.chatList();

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
      const list = store.chatList();
      const at = list.findIndex((chat) => chat.id === store.openChatId);
      const next = list[event.key === "ArrowUp" ? Math.max(0, at - 1) : Math.min(list.length - 1, at + 1)];
      if (next) {
        event.preventDefault();
        void store.open(next.id);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [store]);

  return (
    <ul class="chat-list">
      {chats.map((chat) => {
        const unread = store.reads.unreadIn(chat.id);
        const mentions = store.reads.mentionsIn(chat.id);
        const current = chat.id === store.openChatId;
        return (
          <li key={chat.id}>
            <button
              class={`chat-item${current ? " active" : ""}${unread ? " has-unread" : ""}`}
              onClick={() => void store.open(chat.id)}
              aria-current={current ? "true" : undefined}
            >
              <span class="mark" aria-hidden="true">
                {TYPE_MARK[chat.type]}
              </span>
              <span class="title">{store.chatTitle(chat)}</span>
              {mentions > 0 && (
                <span class="mention-badge" aria-label={`${mentions} mentioning you`}>
                  @
                </span>
              )}
              {unread > 0 && (
                <span class="unread" aria-label={`${unread} unread`}>
                  {unread > 99 ? "99+" : unread}
                </span>
              )}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
