/** Writes the generated API documents into docs/: `pnpm docs:api`. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { asyncApiDocument, webSocketAsyncApiDocument } from "@talk/contracts";
import { openApiDocument } from "@talk/api-gateway";

const docs = join(__dirname, "..", "docs");
const documents: Record<string, object> = {
  "asyncapi.json": asyncApiDocument(),
  "asyncapi-websocket.json": webSocketAsyncApiDocument(),
  "openapi.json": openApiDocument(),
};
for (const [file, document] of Object.entries(documents))
  writeFileSync(join(docs, file), JSON.stringify(document, null, 2) + "\n");
console.log(
  `wrote ${Object.keys(documents)
    .map((file) => `docs/${file}`)
    .join(", ")}`,
);
