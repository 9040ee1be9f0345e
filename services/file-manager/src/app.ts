/**
 * Composition root of file-manager: the metadata store and the byte storage over its own database,
 * the RPC handlers on the bus, the byte routes (HTTP, behind the gateway) and the sweeper.
 */
import { migrate } from "@talk/db";
import type { ManagerDefinition, ManagerDeps, Started } from "@talk/host";
import type { Knex } from "knex";
import { type FileSettings, fileManagerConfig, fileSettings } from "./config";
import { FileService, type ReferenceAuthority } from "./file-service";
import { byteRoutes } from "./http/byte-routes";
import { FileMetrics } from "./metrics";
import type { FileStorage } from "./storage/file-storage";
import { FolderStorage } from "./storage/folder-storage";
import { PostgresStorage } from "./storage/postgres-storage";
import { FileStore } from "./store/file-store";
import { migrations } from "./store/migrations";

export type FileManagerDeps = ManagerDeps & { settings: FileSettings };

async function storageOf(settings: FileSettings, db: Knex): Promise<FileStorage & { close?(): void }> {
  switch (settings.storage.kind) {
    case "s3": {
      // loaded only for S3: the AWS SDK costs every other storage about 20 MB and 0.15 s of start
      const { S3Storage } = await import("./storage/s3-storage");
      return new S3Storage(settings.storage);
    }
    case "folder":
      return new FolderStorage(settings.storage.folder);
    case "postgres":
      return new PostgresStorage(db);
  }
}

export async function startFileManager({
  db,
  bus,
  logger,
  metrics,
  settings,
}: FileManagerDeps): Promise<Started & { service: FileService }> {
  await migrate(db, migrations);
  const storage = await storageOf(settings, db);
  const references: ReferenceAuthority = {
    async mayRead(actor, fileId, requestId) {
      const { allowed } = await bus.call(
        "message.fileAccess",
        { customer_id: actor.customer_id, agent_id: actor.agent_id, file_id: fileId },
        { requestId },
      );
      return allowed;
    },
    async fileDeleted(customerId, fileId, requestId) {
      await bus.call("message.fileDeleted", { customer_id: customerId, file_id: fileId }, { requestId });
    },
  };
  const service = new FileService(
    new FileStore(db),
    storage,
    references,
    settings,
    logger,
    new FileMetrics(metrics),
  );
  await bus.handle("file.get", (req, ctx) => service.get(req.actor, req.file_id, ctx.requestId));
  await bus.handle("file.delete", (req, ctx) => service.delete(req.actor, req.file_id, ctx.requestId));
  await bus.handle("file.attach", async (req) => ({ files: await service.attach(req.refs) }));
  const sweeper = setInterval(() => {
    service.sweep().catch((error: unknown) => logger.warn({ err: error }, "could not sweep expired uploads"));
  }, settings.sweepIntervalSeconds * 1000);
  sweeper.unref();
  logger.info({ storage: storage.kind, max_bytes: settings.maxBytes }, "file-manager serving");
  const routes = byteRoutes(service, settings.jwtSecret, logger.child({ component: "bytes" }));
  return {
    service,
    mount(app) {
      app.use(routes);
    },
    async stop() {
      clearInterval(sweeper);
      storage.close?.();
    },
  };
}

export const service: ManagerDefinition<typeof fileManagerConfig> = {
  name: "file-manager",
  database: true,
  config: fileManagerConfig,
  start: (deps, config) => startFileManager({ ...deps, settings: fileSettings(config) }),
};
