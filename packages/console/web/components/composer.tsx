/**
 * A message box whose text is the chat's (or thread's) draft, kept by the store: Enter sends,
 * Shift+Enter starts a new line; typing is reported as it goes. `@username` becomes a mention
 * (`<@id>`) when sent, and `@here` mentions everyone in the chat. `disabled`: the chat went away
 * (the draft stays, to copy).
 */
import type { Agent } from "@talk/client";
import { withMentions } from "../model/mentions";
import type { Attachment } from "../model/uploads";
import { AttachButton, Attachments } from "./attachments";

export function Composer({
  label,
  text,
  onText,
  onSend,
  onTyping,
  agents,
  disabled = false,
  composerRef,
  attachments = [],
  onAttach,
  onRemoveAttachment,
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
  /** Files attached to this message, uploading or uploaded. */
  attachments?: Attachment[];
  onAttach?: (files: File[]) => void;
  onRemoveAttachment?: (key: string) => void;
}) {
  const uploading = attachments.some((a) => !a.fileId && !a.error);
  const ready = (text.trim() !== "" || attachments.some((a) => a.fileId)) && !uploading && !disabled;
  const send = () => {
    if (ready) onSend(withMentions(text, agents));
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <Attachments items={attachments} onRemove={(key) => onRemoveAttachment?.(key)} />
      {onAttach && <AttachButton onFiles={onAttach} disabled={disabled} />}
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
      <button type="submit" disabled={!ready}>
        Send
      </button>
    </form>
  );
}
