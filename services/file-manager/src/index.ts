export { startFileManager, service } from "./app";
export { fileManagerConfig, fileSettings, type FileSettings, type S3Settings } from "./config";
export { S3Storage } from "./storage/s3-storage";
export { PostgresStorage, CHUNK_BYTES } from "./storage/postgres-storage";
export type { FileStorage } from "./storage/file-storage";
export { FolderStorage } from "./storage/folder-storage";
