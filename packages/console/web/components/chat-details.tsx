/**
 * Managing a chat: its name, who is in it (add, remove), leaving it and deleting it — each offered
 * to whoever may do it (the API has the last word, and says why when it refuses).
 */
import type { Chat } from "@talk/client";
import { useState } from "preact/hooks";
import type { ConsoleStore } from "../store";
import { PresenceDot } from "./presence";

export function ChatDetails({
  store,
  chat,
  onClose,
}: {
  store: ConsoleStore;
  chat: Chat;
  onClose: () => void;
}) {
  const [name, setName] = useState(chat.name);
  const [adding, setAdding] = useState("");
  const [confirmDelete, setConfirmDelete] = useState(false);
  const participants = store.histories.get(chat.id)?.participants ?? [];
  const inChat = new Set(participants.map((p) => p.owner_id));
  const addable = [...store.agents.values()].filter((agent) => !inChat.has(agent.id));
  const title = store.chatTitle(chat);

  return (
    <section class="chat-details" aria-label={`Details of ${title}`}>
      {store.admin.mayRename(chat) && (
        <form
          class="row"
          onSubmit={(event) => {
            event.preventDefault();
            if (name.trim() && name.trim() !== chat.name) void store.admin.rename(chat.id, name.trim());
          }}
        >
          <label class="grow">
            Name
            <input value={name} maxLength={255} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <button class="small" type="submit" disabled={!name.trim() || name.trim() === chat.name}>
            Rename
          </button>
        </form>
      )}

      <h2>Members ({participants.length})</h2>
      <ul class="members" aria-label="Members">
        {participants.map((p) => (
          <li key={p.id}>
            <PresenceDot status={store.presenceOf(p.owner_id)} />
            <span class="grow">
              {store.agentName(p.owner_id)}
              {p.owner_id === store.myId && " (you)"}
            </span>
            {chat.type !== "direct" && p.owner_id !== store.myId && (
              <button
                class="link danger"
                onClick={() => void store.admin.removeParticipant(chat.id, p)}
                aria-label={`Remove ${store.agentName(p.owner_id)}`}
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>

      {chat.type !== "direct" && addable.length > 0 && (
        <form
          class="row"
          onSubmit={(event) => {
            event.preventDefault();
            if (adding) void store.admin.addParticipant(chat.id, adding).then(() => setAdding(""));
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

      <div class="row">
        <button class="small" onClick={() => void store.admin.leave(chat)}>
          Leave {chat.type === "talk" ? "channel" : "chat"}
        </button>
        {store.admin.mayDelete(chat) &&
          (confirmDelete ? (
            <>
              <span>Delete {title} for everyone?</span>
              <button class="small danger-fill" onClick={() => void store.admin.deleteChat(chat.id)}>
                Yes, delete
              </button>
              <button class="link" onClick={() => setConfirmDelete(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button class="small danger" onClick={() => setConfirmDelete(true)}>
              Delete chat
            </button>
          ))}
        <button class="link push-right" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}
