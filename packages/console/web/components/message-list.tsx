/**
 * A chat's messages as a real client shows them: date separators, one header per group of an
 * author's messages, a "new messages" divider, older pages loaded as the reader scrolls up with
 * the first visible message kept where it was, the view kept at the newest message while the
 * reader is there (also when a reply link or a preview makes the last message taller), and a
 * "Jump to latest" button when not. Messages waiting to be sent are shown last, as pending.
 */
import type { Chat, Message } from "@talk/client";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { timelineRows } from "../model/timeline";
import type { ConsoleStore } from "../store";
import { MessageItem, PendingItem } from "./message-item";

/** Closer than this to an edge counts as at it (px). */
const EDGE = 48;

export function MessageList({ store, chat }: { store: ConsoleStore; chat: Chat }) {
  const history = store.histories.get(chat.id);
  const topLevel = (history?.messages ?? []).filter((m) => !m.parent_id);
  const rows = timelineRows(topLevel, store.reads.dividerIn(chat.id), new Date());
  const pending = store.sender.outbox.inChat(chat.id);
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  /** The first message on screen and where it was, while an older page loads above it. */
  const anchor = useRef<{ id: string; top: number } | undefined>(undefined);
  const [away, setAway] = useState(false);

  const toBottom = () => {
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
  };

  const loadOlder = () => {
    const element = scroller.current;
    if (!element || !history?.olderToken || history.loading) return;
    const first = firstVisible(element);
    if (first) anchor.current = { id: first.dataset.messageId ?? "", top: first.getBoundingClientRect().top };
    void store.loadOlder(chat.id);
  };

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < EDGE;
    setAway(!atBottom.current);
    if (element.scrollTop < EDGE * 3) loadOlder();
  };

  // A chat just opened: at its "new messages" divider, the message from a search, or its end.
  useLayoutEffect(() => {
    atBottom.current = true;
    anchor.current = undefined;
    setAway(false);
  }, [chat.id]);
  const ready = topLevel.length > 0;
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || !ready) return;
    const target = element.querySelector(
      store.focusId ? `[data-message-id="${store.focusId}"]` : ".new-messages",
    );
    if (target) {
      target.scrollIntoView({ block: "center" });
      atBottom.current = false;
      setAway(element.scrollHeight - element.scrollTop - element.clientHeight >= EDGE);
    } else toBottom();
  }, [chat.id, ready, store.focusId]);

  // After every render: keep the anchored message in place, or stay at the newest message.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const kept = anchor.current;
    if (kept) {
      const now = element.querySelector<HTMLElement>(`[data-message-id="${kept.id}"]`);
      if (now) element.scrollTop += now.getBoundingClientRect().top - kept.top;
      if (!history?.loading) anchor.current = undefined;
    } else if (atBottom.current) toBottom();
    // A first page shorter than the view: nothing to scroll, so load more at once.
    if (!history?.loading && history?.olderToken && element.scrollHeight <= element.clientHeight) loadOlder();
  });

  // Content that grows by itself (a reply link, an image preview) keeps the end in view.
  useEffect(() => {
    const element = content.current;
    if (!element || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current && !anchor.current) toBottom();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [chat.id]);

  return (
    <div class="message-scroller">
      <div
        class="messages"
        ref={scroller}
        onScroll={onScroll}
        tabIndex={0}
        role="region"
        aria-label="Messages"
      >
        <ol ref={content}>
          {history?.loading && (
            <li class="older muted" role="status">
              Loading older messages…
            </li>
          )}
          {history && !history.olderToken && topLevel.length > 0 && (
            <li class="older muted">This is the start of the conversation.</li>
          )}
          {!history?.loading && topLevel.length === 0 && pending.length === 0 && (
            <li class="muted empty">No messages yet: say hello.</li>
          )}
          {rows.map((row) =>
            row.kind === "date" ? (
              <li key={row.key} class="date-separator">
                <span>{row.label}</span>
              </li>
            ) : row.kind === "new" ? (
              <li key={row.key} class="new-messages">
                <span>New messages</span>
              </li>
            ) : (
              <MessageItem
                key={row.key}
                store={store}
                message={row.message}
                continued={row.continued}
                replies={replyCount(store, chat.id, row.message)}
              />
            ),
          )}
          {pending.map((item) => (
            <PendingItem key={item.key} store={store} pending={item} />
          ))}
        </ol>
      </div>
      {away && (
        <button
          class="jump-latest"
          onClick={() => {
            atBottom.current = true;
            setAway(false);
            toBottom();
          }}
        >
          Jump to latest ↓
        </button>
      )}
    </div>
  );
}

const replyCount = (store: ConsoleStore, chatId: string, message: Message) =>
  store.thread(chatId, message.id).length;

/** The first message whose top is inside the scroller's view. */
function firstVisible(scroller: HTMLElement): HTMLElement | undefined {
  const top = scroller.getBoundingClientRect().top;
  for (const item of scroller.querySelectorAll<HTMLElement>("[data-message-id]"))
    if (item.getBoundingClientRect().bottom > top) return item;
  return undefined;
}
