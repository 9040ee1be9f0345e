/** Writes the generated API documents into docs/: `pnpm docs:api`. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { asyncApiDocument } from "@talk/contracts";
import { openApiDocument } from "@talk/api-gateway";

const docs = join(__dirname, "..", "docs");
writeFileSync(join(docs, "asyncapi.json"), JSON.stringify(asyncApiDocument(), null, 2) + "\n");
writeFileSync(join(docs, "openapi.json"), JSON.stringify(openApiDocument(), null, 2) + "\n");
console.log("wrote docs/asyncapi.json and docs/openapi.json");
