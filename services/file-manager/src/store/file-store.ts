/** File metadata in file-manager's own database (the bytes are behind FileStorage). */
import { type FileInfo, normalizeTimestamp } from "@talk/contracts";
import { now } from "@talk/db";
import type { Knex } from "knex";

interface FileRow {
  id: string;
  customer_id: string;
  owner_id: string;
  name: string;
  content_type: string;
  state: string;
  storage: string;
  size: number | string | null;
  sha256: string | null;
  tm_create: string;
  tm_attached: string | null;
  tm_delete: string;
}

const toFile = (row: FileRow): FileInfo => ({
  id: row.id,
  customer_id: row.customer_id,
  owner_id: row.owner_id,
  name: row.name,
  content_type: row.content_type,
  size: Number(row.size ?? 0),
  sha256: row.sha256 ?? "",
  tm_create: normalizeTimestamp(row.tm_create),
  tm_delete: normalizeTimestamp(row.tm_delete),
});

export interface NewUpload {
  id: string;
  customer_id: string;
  owner_id: string;
  name: string;
  content_type: string;
  storage: string;
}

export class FileStore {
  constructor(private readonly db: Knex) {}

  /** Records an upload that has begun: invisible until `complete`. */
  async begin(upload: NewUpload): Promise<void> {
    await this.db("files").insert({ ...upload, state: "uploading", tm_create: await now(this.db) });
  }

  async complete(id: string, size: number, sha256: string): Promise<FileInfo> {
    const [row]: FileRow[] = await this.db("files")
      .where({ id, state: "uploading" })
      .update({ state: "ready", size, sha256 })
      .returning("*");
    if (!row) throw new Error(`upload ${id} vanished before it completed`);
    return toFile(row);
  }

  async discard(id: string): Promise<void> {
    await this.db("files").where({ id, state: "uploading" }).delete();
  }

  /** A finished file (deleted ones too). */
  async get(id: string): Promise<FileInfo | undefined> {
    const row: FileRow | undefined = await this.db("files").where({ id, state: "ready" }).first();
    return row ? toFile(row) : undefined;
  }

  /** Marks a file deleted (once); returns it as it now is. */
  async softDelete(id: string): Promise<FileInfo | undefined> {
    await this.db("files")
      .where({ id, state: "ready", tm_delete: "9999-01-01 00:00:00" })
      .update({ tm_delete: await now(this.db) });
    return this.get(id);
  }

  /** The files among `ids` in any state (an upload in progress too), by id. */
  async findAny(ids: string[]): Promise<Map<string, FileInfo & { uploading: boolean }>> {
    if (ids.length === 0) return new Map();
    const rows: FileRow[] = await this.db("files").whereIn("id", ids);
    return new Map(rows.map((row) => [row.id, { ...toFile(row), uploading: row.state === "uploading" }]));
  }

  /** Marks files as attached by a message: the sweeper keeps them. */
  async markAttached(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db("files")
      .whereIn("id", ids)
      .whereNull("tm_attached")
      .update({ tm_attached: await now(this.db) });
  }

  /**
   * Takes the files to remove for good: uploads never attached older than `unreferencedBefore`,
   * and uploads that never finished older than `staleBefore`. Deleting the rows is the claim, so
   * two replicas sweeping at once never remove the same file twice.
   */
  async takeExpired(
    unreferencedSeconds: number,
    staleSeconds: number,
    limit = 100,
  ): Promise<{ id: string; storage: string }[]> {
    const ago = (seconds: number) =>
      this.db.raw("(clock_timestamp() at time zone 'utc') - make_interval(secs => ?)", [seconds]);
    const unreferencedBefore = ago(unreferencedSeconds);
    const staleBefore = ago(staleSeconds);
    const victims = this.db("files")
      .select("id")
      .where((q) =>
        q
          .where((w) =>
            w.where({ state: "ready" }).whereNull("tm_attached").where("tm_create", "<", unreferencedBefore),
          )
          .orWhere((w) => w.where({ state: "uploading" }).where("tm_create", "<", staleBefore)),
      )
      .limit(limit);
    return this.db("files").whereIn("id", victims).delete().returning(["id", "storage"]);
  }
}
