/**
 * Writes what is generated from the contracts: the API documents into docs/ and the contracts'
 * TypeScript types into packages/contracts/src/generated/types.ts. `pnpm docs:api`; tests fail when
 * a committed file is not what this writes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { asyncApiDocument, webSocketAsyncApiDocument } from "@talk/contracts";
import { openApiDocument } from "@talk/api-gateway";
import { CONTRACT_TYPES_FILE, contractTypesSource } from "./contract-types";

async function main() {
  const docs = join(__dirname, "..", "docs");
  const documents: Record<string, object> = {
    "asyncapi.json": asyncApiDocument(),
    "asyncapi-websocket.json": webSocketAsyncApiDocument(),
    "openapi.json": openApiDocument(),
  };
  for (const [file, document] of Object.entries(documents))
    writeFileSync(join(docs, file), JSON.stringify(document, null, 2) + "\n");
  writeFileSync(CONTRACT_TYPES_FILE, await contractTypesSource());
  const written = [
    ...Object.keys(documents).map((file) => `docs/${file}`),
    "packages/contracts/src/generated/types.ts",
  ];
  console.log(`wrote ${written.join(", ")}`);
}

void main();
