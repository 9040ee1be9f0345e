/** A new direct chat, private group or public channel, with the agents to add. */
import type { ChatType } from "@talk/client";
import { useState } from "preact/hooks";
import type { ConsoleStore } from "../store";
import { PresenceDot } from "./presence";

const TYPES: { value: ChatType; label: string }[] = [
  { value: "group", label: "Private group" },
  { value: "direct", label: "Direct chat" },
  { value: "talk", label: "Public channel" },
];

export function NewChat({ store, onDone }: { store: ConsoleStore; onDone: () => void }) {
  const [type, setType] = useState<ChatType>("group");
  const [name, setName] = useState("");
  const [picked, setPicked] = useState<string[]>([]);
  const others = [...store.agents.values()].filter((agent) => agent.id !== store.myId);

  const pick = (agentId: string, on: boolean) =>
    setPicked(
      type === "direct"
        ? on
          ? [agentId]
          : []
        : on
          ? [...picked, agentId]
          : picked.filter((id) => id !== agentId),
    );

  const submit = async (event: Event) => {
    event.preventDefault();
    await store.admin.createChat({
      type,
      ...(type !== "direct" && name.trim() ? { name: name.trim() } : {}),
      participants: picked.map((owner_id) => ({ owner_type: "agent", owner_id })),
    });
    onDone();
  };

  return (
    <form class="new-chat" onSubmit={submit} aria-label="New chat">
      <label>
        Kind
        <select
          name="type"
          value={type}
          onChange={(e) => {
            setType(TYPES.find((t) => t.value === e.currentTarget.value)?.value ?? "group");
            setPicked([]);
          }}
        >
          {TYPES.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
      {type !== "direct" && (
        <label>
          Name
          <input
            name="name"
            value={name}
            maxLength={255}
            onInput={(e) => setName(e.currentTarget.value)}
            placeholder="Project Discussion"
          />
        </label>
      )}
      <fieldset>
        <legend>{type === "direct" ? "With" : "Add agents"}</legend>
        {others.map((agent) => (
          <label key={agent.id} class="check">
            <input
              type={type === "direct" ? "radio" : "checkbox"}
              name="agents"
              checked={picked.includes(agent.id)}
              onChange={(e) => pick(agent.id, e.currentTarget.checked)}
            />
            <PresenceDot status={store.presenceOf(agent.id)} />
            {agent.name || agent.username}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={type === "direct" && picked.length !== 1}>
        Create
      </button>
    </form>
  );
}
