/**
 * The files attached to the message being written: each with its upload progress (or why it
 * failed) and a button to remove it; and the button that attaches more.
 */
import type { Attachment } from "../model/uploads";

export function Attachments({ items, onRemove }: { items: Attachment[]; onRemove: (key: string) => void }) {
  if (items.length === 0) return null;
  return (
    <ul class="attachments" aria-label="Attachments">
      {items.map((item) => (
        <li key={item.key} class={`attachment${item.error ? " failed" : ""}`}>
          <span class="name">📎 {item.name}</span>
          {item.error ? (
            <span class="error-text" role="alert">
              {item.error}
            </span>
          ) : item.fileId ? (
            <span class="size">{fileSize(item.size)}</span>
          ) : (
            <progress max={item.size || 1} value={item.sent} aria-label={`Uploading ${item.name}`} />
          )}
          <button
            class="link"
            type="button"
            onClick={() => onRemove(item.key)}
            aria-label={`Remove ${item.name}`}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

/** A button that opens the file picker (the input itself stays hidden). */
export function AttachButton({
  onFiles,
  disabled,
}: {
  onFiles: (files: File[]) => void;
  disabled?: boolean;
}) {
  return (
    <label class={`attach${disabled ? " disabled" : ""}`} title="Attach files">
      <span aria-hidden="true">📎</span>
      <span class="sr-only">Attach files</span>
      <input
        type="file"
        multiple
        disabled={disabled}
        class="sr-only"
        onChange={(e) => {
          const files = [...(e.currentTarget.files ?? [])];
          e.currentTarget.value = "";
          if (files.length) onFiles(files);
        }}
      />
    </label>
  );
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
