/**
 * The files messages attach, asked of file-manager once for many messages (a send batch: one
 * `file.attach` call), which also marks them attached so its sweeper keeps them. Messages without
 * file medias ask nothing.
 */
import type { FileInfo, FileState, Media } from "@talk/contracts";
import { type FileFinding, attachedFileIds, withFiles } from "./domain/file-medias";

/** file-manager's answer for files named with their sender's customer. */
export interface FileAuthority {
  attach(
    refs: { customer_id: string; file_id: string }[],
    requestId?: string,
  ): Promise<{ customer_id: string; file_id: string; state: FileState; file?: FileInfo }[]>;
}

const keyOf = (customerId: string, fileId: string) => `${customerId}\u0000${fileId}`;

export class FileLookup {
  private constructor(private readonly found: Map<string, FileFinding>) {}

  /** Asks file-manager about every file `messages` attach, in one call (none when there are none). */
  static async of(
    authority: FileAuthority,
    messages: { customerId: string; medias?: readonly Media[] }[],
    requestId?: string,
  ): Promise<FileLookup> {
    const refs = new Map<string, { customer_id: string; file_id: string }>();
    for (const { customerId, medias } of messages)
      for (const fileId of attachedFileIds(medias))
        refs.set(keyOf(customerId, fileId), { customer_id: customerId, file_id: fileId });
    if (refs.size === 0) return new FileLookup(new Map());
    const answers = await authority.attach([...refs.values()], requestId);
    return new FileLookup(
      new Map(answers.map((a) => [keyOf(a.customer_id, a.file_id), { state: a.state, file: a.file }])),
    );
  }

  /** The medias with their files filled in, or the 400 of the first file that may not be attached. */
  fill(customerId: string, medias: readonly Media[], known?: readonly Media[]): Media[] {
    return withFiles(medias, (fileId) => this.found.get(keyOf(customerId, fileId)), known);
  }
}

/** Whether a message's medias name any file. */
export const attachesFiles = (medias: readonly Media[] | undefined) => attachedFileIds(medias).length > 0;
