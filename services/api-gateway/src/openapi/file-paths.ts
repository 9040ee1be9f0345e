/**
 * The /files operations of the OpenAPI document. They stream bytes (a binary upload, a binary
 * download with ranges), which the JSON route table of @talk/contracts does not describe, so they
 * are written out here, next to it; metadata and delete answer the File schema like other routes.
 */
import type { ErrorStatus } from "@talk/contracts";
import { uuid } from "@talk/contracts";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const binary = { type: "string", format: "binary" } as const;

export function filePaths(errors: (statuses: readonly ErrorStatus[]) => Record<string, object>) {
  const fileId = { name: "id", in: "path", required: true, description: "The file's id", schema: uuid };
  const requestId = {
    name: "X-Request-Id",
    in: "header",
    description: "Your id for the request, echoed in the answer and the logs",
    schema: { type: "string" },
  };
  const example = {
    id: "3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c",
    customer_id: "5e0d6a7b-1c2d-4e3f-8a9b-0c1d2e3f4a5b",
    owner_id: "8c9d0e1f-2a3b-4c5d-9e6f-7a8b9c0d1e2f",
    name: "design.pdf",
    content_type: "application/pdf",
    size: 48213,
    sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    tm_create: "2024-01-17 10:30:00.000000",
    tm_delete: "9999-01-01 00:00:00.000000",
  };
  const json = (schema: object) => ({ "application/json": { schema, example } });
  return {
    "/files": {
      post: {
        operationId: "uploadFile",
        tags: ["files"],
        summary: "Upload a file (streamed; at most FILE_MAX_BYTES, 25 MiB by default)",
        description:
          "multipart/form-data with the file in the part named `file` (its filename and type are kept), or the raw bytes with their Content-Type and `?name=`. The SHA-256 is computed while the bytes arrive. Over the limit: 413 FILE_TOO_LARGE and nothing is kept. Others may read the file once a message attaches it (`medias: [{type: file, file_id}]`) in a chat they are in.",
        parameters: [
          {
            name: "name",
            in: "query",
            description: "The file's name (raw uploads)",
            schema: { type: "string", maxLength: 255 },
          },
          requestId,
        ],
        requestBody: {
          required: true,
          content: {
            "multipart/form-data": {
              schema: { type: "object", required: ["file"], properties: { file: binary } },
            },
            "application/octet-stream": { schema: binary },
          },
        },
        responses: {
          "200": { description: "Stored", content: json(ref("File")) },
          ...errors(["INVALID_ARGUMENT", "UNAUTHENTICATED", "PAYLOAD_TOO_LARGE", "UNAVAILABLE"]),
        },
      },
    },
    "/files/{id}": {
      get: {
        operationId: "getFile",
        tags: ["files"],
        summary:
          "Get a file's metadata (its uploader, or a participant of a chat where a live message attaches it)",
        parameters: [fileId, requestId],
        responses: {
          "200": { description: "OK", content: json(ref("File")) },
          ...errors(["INVALID_ARGUMENT", "UNAUTHENTICATED", "NOT_FOUND", "UNAVAILABLE"]),
        },
      },
      delete: {
        operationId: "deleteFile",
        tags: ["files"],
        summary: "Delete my upload (soft: it stays with tm_delete set; its bytes are removed)",
        parameters: [fileId, requestId],
        responses: {
          "200": { description: "OK", content: json(ref("File")) },
          ...errors(["INVALID_ARGUMENT", "UNAUTHENTICATED", "PERMISSION_DENIED", "NOT_FOUND", "UNAVAILABLE"]),
        },
      },
    },
    "/files/{id}/content": {
      get: {
        operationId: "downloadFile",
        tags: ["files"],
        summary: "Download a file's bytes (Range for a part; the ETag is the SHA-256)",
        parameters: [
          fileId,
          {
            name: "Range",
            in: "header",
            description: "One range: bytes=0-1023, bytes=1024- or bytes=-500",
            schema: { type: "string" },
          },
          {
            name: "If-None-Match",
            in: "header",
            description: "The ETag you have: 304 when unchanged",
            schema: { type: "string" },
          },
          requestId,
        ],
        responses: {
          "200": {
            description: "The bytes, with Content-Type, Content-Length, ETag and Content-Disposition",
            content: { "application/octet-stream": { schema: binary } },
          },
          "206": {
            description: "The range asked for, with Content-Range",
            content: { "application/octet-stream": { schema: binary } },
          },
          "304": { description: "Not modified: If-None-Match matched the ETag" },
          ...errors([
            "INVALID_ARGUMENT",
            "UNAUTHENTICATED",
            "NOT_FOUND",
            "RANGE_NOT_SATISFIABLE",
            "UNAVAILABLE",
          ]),
        },
      },
    },
  };
}
