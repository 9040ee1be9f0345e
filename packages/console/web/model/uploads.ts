/**
 * Files the agent attaches to the message being written, per chat (or thread): each uploads at
 * once, with its progress, so that sending only names the uploaded files (`{type: "file",
 * file_id}`). An upload that failed says why and can be removed; none is sent half-done.
 */
import { TalkApiError, type TalkClient } from "@talk/client";

export interface Attachment {
  key: string;
  name: string;
  size: number;
  contentType: string;
  /** Bytes handed to the network so far. */
  sent: number;
  /** Set once the upload is complete. */
  fileId?: string;
  error?: string;
}

export interface FileMedia {
  type: "file";
  file_id: string;
}

export class Uploads {
  private readonly byPlace = new Map<string, Attachment[]>();
  private readonly aborts = new Map<string, AbortController>();

  constructor(
    private readonly client: TalkClient,
    private readonly changed: () => void,
  ) {}

  private place(chatId: string, parentId?: string): string {
    return `${chatId} ${parentId ?? ""}`;
  }

  in(chatId: string, parentId?: string): Attachment[] {
    return this.byPlace.get(this.place(chatId, parentId)) ?? [];
  }

  /** True while any attachment of the place is still uploading. */
  busy(chatId: string, parentId?: string): boolean {
    return this.in(chatId, parentId).some((a) => !a.fileId && !a.error);
  }

  /** The uploaded files, as a message's medias. */
  medias(chatId: string, parentId?: string): FileMedia[] {
    return this.in(chatId, parentId).flatMap((a) =>
      a.fileId ? [{ type: "file" as const, file_id: a.fileId }] : [],
    );
  }

  attach(chatId: string, files: Iterable<File>, parentId?: string): void {
    const place = this.place(chatId, parentId);
    for (const file of files) {
      const attachment: Attachment = {
        key: crypto.randomUUID(),
        name: file.name,
        size: file.size,
        contentType: file.type || "application/octet-stream",
        sent: 0,
      };
      this.byPlace.set(place, [...(this.byPlace.get(place) ?? []), attachment]);
      void this.upload(attachment, file);
    }
    this.changed();
  }

  remove(chatId: string, key: string, parentId?: string): void {
    this.aborts.get(key)?.abort();
    const place = this.place(chatId, parentId);
    this.byPlace.set(
      place,
      this.in(chatId, parentId).filter((a) => a.key !== key),
    );
    this.changed();
  }

  /** The message went out with them: the box is empty again. */
  clear(chatId: string, parentId?: string): void {
    this.byPlace.delete(this.place(chatId, parentId));
    this.changed();
  }

  private async upload(attachment: Attachment, file: File): Promise<void> {
    const abort = new AbortController();
    this.aborts.set(attachment.key, abort);
    try {
      const info = await this.client.files.upload(file, {
        name: file.name,
        contentType: attachment.contentType,
        signal: abort.signal,
        onProgress: (sent) => {
          attachment.sent = sent;
          this.changed();
        },
      });
      attachment.fileId = info.id;
      attachment.sent = attachment.size;
    } catch (error) {
      if (abort.signal.aborted) return;
      attachment.error =
        error instanceof TalkApiError
          ? error.message
          : "The upload did not reach Talk; remove it and try again.";
    } finally {
      this.aborts.delete(attachment.key);
      this.changed();
    }
  }
}
