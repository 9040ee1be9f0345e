/** A message box: Enter sends, Shift+Enter starts a new line; typing is reported as it goes. */
import { useState } from "preact/hooks";

export function Composer({
  placeholder,
  onSend,
  onTyping,
}: {
  placeholder: string;
  onSend: (text: string) => Promise<boolean>;
  /** Called on every keystroke that changes the text (throttled further down). */
  onTyping?: () => void;
}) {
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);

  const send = async () => {
    if (!text.trim() || sending) return;
    setSending(true);
    if (await onSend(text)) setText("");
    setSending(false);
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <textarea
        aria-label={placeholder}
        placeholder={placeholder}
        rows={2}
        value={text}
        maxLength={16384}
        onInput={(e) => {
          setText(e.currentTarget.value);
          if (e.currentTarget.value.trim()) onTyping?.();
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            void send();
          }
        }}
      />
      <button type="submit" disabled={sending || !text.trim()}>
        Send
      </button>
    </form>
  );
}
