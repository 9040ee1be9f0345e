/**
 * A message's file medias, without I/O: a `file` media must name a file of the sender's customer
 * that is fully uploaded and not deleted (else a 400 that names the media), and shows the file's
 * name, content type and size as file-manager has them (what the client sent is replaced). When the
 * uploader deletes the file, the media stays, marked `deleted`.
 */
import { type FileInfo, type FileState, type Media, invalid } from "@talk/contracts";

type FileMedia = Extract<Media, { type: "file" }>;

/** What file-manager says of one file, for the sender's customer. */
export interface FileFinding {
  state: FileState;
  file?: FileInfo;
}

const isFile = (media: Media): media is FileMedia => media.type === "file";

/** The ids of the files `medias` attach, once each. */
export function attachedFileIds(medias: readonly Media[] | undefined): string[] {
  return [...new Set((medias ?? []).filter(isFile).map((media) => media.file_id))];
}

/**
 * The medias with every file media filled in from its file, or the 400 of the first one that may
 * not be attached. `known`: file medias the message already had (an edit keeps them as they are,
 * deleted or not).
 */
export function withFiles(
  medias: readonly Media[],
  find: (fileId: string) => FileFinding | undefined,
  known: readonly Media[] = [],
): Media[] {
  const kept = new Map(known.filter(isFile).map((media) => [media.file_id, media]));
  return medias.map((media, index) => {
    if (!isFile(media)) return media;
    const previous = kept.get(media.file_id);
    if (previous) return previous;
    const { state, file } = find(media.file_id) ?? { state: "missing" as const };
    const where = `medias[${index}]`;
    if (state === "deleted")
      throw invalid("MEDIA_FILE_DELETED", `${where}: the file ${media.file_id} was deleted.`);
    if (state === "uploading")
      throw invalid(
        "MEDIA_FILE_UPLOADING",
        `${where}: the file ${media.file_id} is still being uploaded; attach it once its upload has finished.`,
      );
    if (state !== "ready" || !file)
      throw invalid(
        "MEDIA_FILE_NOT_FOUND",
        `${where}: no file ${media.file_id} exists in your customer; upload it first (POST /v1.0/files).`,
      );
    return {
      type: "file",
      file_id: file.id,
      name: file.name,
      content_type: file.content_type,
      size: file.size,
    };
  });
}

/** The medias with the file's media marked deleted; `undefined` when none changes. */
export function markFileDeleted(medias: readonly Media[], fileId: string): Media[] | undefined {
  let changed = false;
  const marked = medias.map((media) => {
    if (!isFile(media) || media.file_id !== fileId || media.deleted) return media;
    changed = true;
    return { ...media, deleted: true };
  });
  return changed ? marked : undefined;
}
