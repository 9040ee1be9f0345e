/** Presence dots next to agents, and the "Bob is typing…" line under a chat or thread. */
import type { PresenceStatus } from "@talk/client";

const LABEL: Record<PresenceStatus, string> = {
  online: "online",
  away: "away",
  dnd: "do not disturb",
  offline: "offline",
};

export function PresenceDot({ status }: { status: PresenceStatus }) {
  return (
    <span class={`presence presence-${status}`} role="img" aria-label={LABEL[status]} title={LABEL[status]} />
  );
}

/** Always rendered (empty when nobody types), so that the layout does not jump. */
export function TypingLine({ text }: { text: string | undefined }) {
  return (
    <p class="typing muted" aria-live="polite">
      {text ?? ""}
    </p>
  );
}
