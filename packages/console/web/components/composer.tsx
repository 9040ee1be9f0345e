/**
 * A message box whose text is the chat's (or thread's) draft, kept by the store: Enter sends,
 * Shift+Enter starts a new line; typing is reported as it goes. `@username` becomes a mention
 * (`<@id>`) when sent, and `@here` mentions everyone in the chat. `disabled`: the chat went away
 * (the draft stays, to copy).
 */
import type { Agent } from "@talk/client";
import { withMentions } from "../model/mentions";

export function Composer({
  label,
  text,
  onText,
  onSend,
  onTyping,
  agents,
  disabled = false,
  composerRef,
}: {
  label: string;
  text: string;
  onText: (text: string) => void;
  onSend: (text: string) => void;
  /** Called on every keystroke that changes the text (throttled further down). */
  onTyping?: () => void;
  /** Who `@username` may name. */
  agents: Iterable<Agent>;
  disabled?: boolean;
  composerRef?: { current: HTMLTextAreaElement | null };
}) {
  const send = () => {
    if (!text.trim() || disabled) return;
    onSend(withMentions(text, agents));
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <textarea
        ref={composerRef}
        aria-label={label}
        placeholder={label}
        rows={2}
        value={text}
        maxLength={16384}
        readOnly={disabled}
        onInput={(e) => {
          onText(e.currentTarget.value);
          if (e.currentTarget.value.trim()) onTyping?.();
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send();
          }
        }}
      />
      <button type="submit" disabled={disabled || !text.trim()}>
        Send
      </button>
    </form>
  );
}
