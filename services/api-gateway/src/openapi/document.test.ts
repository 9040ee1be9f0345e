import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileErrors, validate } from "@readme/openapi-parser";
import { openApiDocument } from "./document";

const generated = () => JSON.parse(JSON.stringify(openApiDocument())) as Record<string, unknown>;

describe("the OpenAPI document", () => {
  it("validates against the OpenAPI 3.1 specification (@readme/openapi-parser), without a warning", async () => {
    const result = await validate(generated() as never);
    expect(result.valid ? [] : compileErrors(result)).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it("is checked for real: a path parameter the path does not name is refused", async () => {
    const doc = generated() as { paths: Record<string, Record<string, { parameters?: object[] }>> };
    doc.paths["/agents"].get.parameters = [
      { name: "id", in: "path", required: true, schema: { type: "string" } },
    ];
    expect((await validate(doc as never)).valid).toBe(false);
  });

  it("is committed as docs/openapi.json, up to date (regenerate with `pnpm docs:api`)", () => {
    const committed = JSON.parse(readFileSync(join(__dirname, "../../../../docs/openapi.json"), "utf8"));
    expect(committed).toEqual(generated());
  });
});
