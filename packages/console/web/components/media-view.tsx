/**
 * A message's medias: an image file as a preview (opening the full image), another file as a
 * download card with its name and size, a deleted file as such; links, addresses and agents.
 */
import type { Media, TalkClient } from "@talk/client";
import { fileSize } from "./attachments";

export function MediaView({ media, client }: { media: Media; client: TalkClient }) {
  switch (media.type) {
    case "file": {
      const name = media.name ?? "file";
      if (media.deleted)
        return (
          <span class="file-card deleted">
            📎 {name} <span class="tombstone">(file deleted)</span>
          </span>
        );
      const url = client.files.contentUrl(media.file_id);
      if (media.content_type?.startsWith("image/"))
        return (
          <a class="image-preview" href={url} target="_blank" rel="noopener noreferrer">
            <img src={url} alt={name} loading="lazy" />
          </a>
        );
      return (
        <a class="file-card" href={url} download={name}>
          <span aria-hidden="true">📄</span>
          <span class="name">{name}</span>
          {media.size !== undefined && <span class="size">{fileSize(media.size)}</span>}
          <span class="download">Download</span>
        </a>
      );
    }
    case "link":
      return /^https?:\/\//i.test(media.link) ? (
        <a href={media.link} target="_blank" rel="noopener noreferrer">
          {media.link}
        </a>
      ) : (
        <span>{media.link}</span>
      );
    case "address":
      return <span>📍 {media.address.name ?? media.address.target_name ?? media.address.target}</span>;
    case "agent":
      return <span>👤 {media.agent.name ?? media.agent.id}</span>;
  }
}
