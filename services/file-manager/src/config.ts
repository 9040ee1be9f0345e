/** file-manager's configuration (beyond the host's common and database variables), validated once. */
import type { TokenSecret } from "@talk/auth";
import { type Config, type ConfigSpec, tokenSecretConfig, tokenSecretOf } from "@talk/kit";

export const fileManagerConfig = {
  // Verifies the caller's token on the byte path (the gateway's secrets, rotation included).
  ...tokenSecretConfig,
  FILE_MAX_BYTES: {
    kind: "int",
    description: "largest accepted upload in bytes (413 beyond, nothing kept)",
    default: 25 * 1024 * 1024,
    min: 1,
  },
  FILE_STORAGE: {
    kind: "enum",
    description:
      "where the bytes live: postgres (chunked rows in this service's database), s3, or folder (FILE_FOLDER on local disk)",
    default: "postgres",
    values: ["postgres", "s3", "folder"],
  },
  FILE_FOLDER: {
    kind: "string",
    description: "folder holding the bytes when FILE_STORAGE=folder (one replica, or a shared volume)",
    default: "",
  },
  S3_ENDPOINT: {
    kind: "string",
    description: "S3-compatible endpoint URL (empty: AWS for S3_REGION)",
    default: "",
  },
  S3_REGION: { kind: "string", description: "S3 region", default: "us-east-1" },
  S3_BUCKET: { kind: "string", description: "S3 bucket holding the files (FILE_STORAGE=s3)", default: "" },
  S3_ACCESS_KEY_ID: {
    kind: "string",
    description: "S3 access key (empty: the AWS SDK's default credential chain)",
    default: "",
  },
  S3_SECRET_ACCESS_KEY: { kind: "string", description: "S3 secret key", default: "", secret: true },
  S3_FORCE_PATH_STYLE: {
    kind: "enum",
    description: "address the bucket as a path (most S3-compatible servers need true)",
    default: "false",
    values: ["true", "false"],
  },
  FILE_UNREFERENCED_TTL_SECONDS: {
    kind: "int",
    description: "an upload no message ever attached is removed this long after it was made",
    default: 86_400,
    min: 1,
  },
  FILE_UPLOAD_STALE_SECONDS: {
    kind: "int",
    description: "an upload still unfinished this long after it began (its process died) is removed",
    default: 3_600,
    min: 1,
  },
  FILE_SWEEP_INTERVAL_SECONDS: {
    kind: "int",
    description: "how often expired uploads are looked for",
    default: 600,
    min: 1,
  },
} as const satisfies ConfigSpec;

export interface S3Settings {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

export interface FileSettings {
  jwtSecret: TokenSecret;
  maxBytes: number;
  storage: { kind: "postgres" } | { kind: "folder"; folder: string } | ({ kind: "s3" } & S3Settings);
  unreferencedTtlSeconds: number;
  uploadStaleSeconds: number;
  sweepIntervalSeconds: number;
}

export function fileSettings(config: Config<typeof fileManagerConfig>): FileSettings {
  if (config.FILE_STORAGE === "s3" && !config.S3_BUCKET)
    throw new Error("S3_BUCKET is required when FILE_STORAGE=s3");
  if (config.FILE_STORAGE === "folder" && !config.FILE_FOLDER)
    throw new Error("FILE_FOLDER is required when FILE_STORAGE=folder");
  return {
    jwtSecret: tokenSecretOf(config),
    maxBytes: config.FILE_MAX_BYTES,
    storage:
      config.FILE_STORAGE === "s3"
        ? {
            kind: "s3",
            endpoint: config.S3_ENDPOINT || undefined,
            region: config.S3_REGION,
            bucket: config.S3_BUCKET,
            accessKeyId: config.S3_ACCESS_KEY_ID || undefined,
            secretAccessKey: config.S3_SECRET_ACCESS_KEY || undefined,
            forcePathStyle: config.S3_FORCE_PATH_STYLE === "true",
          }
        : config.FILE_STORAGE === "folder"
          ? { kind: "folder", folder: config.FILE_FOLDER }
          : { kind: "postgres" },
    unreferencedTtlSeconds: config.FILE_UNREFERENCED_TTL_SECONDS,
    uploadStaleSeconds: config.FILE_UPLOAD_STALE_SECONDS,
    sweepIntervalSeconds: config.FILE_SWEEP_INTERVAL_SECONDS,
  };
}
