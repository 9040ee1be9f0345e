import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileErrors, validate } from "@readme/openapi-parser";
import { API_ROUTES, ERROR_REASONS, compile } from "@talk/contracts";
import { openApiDocument } from "./document";

interface Operation {
  operationId: string;
  tags: string[];
  requestBody?: { content: { "application/json": { schema: object; example?: unknown } } };
  responses: Record<string, { content: { "application/json": { schema: object; example?: unknown } } }>;
}
type Document = { paths: Record<string, Record<string, Operation>>; components: Record<string, object> };

/**
 * Redocly's lint (ESM only, so in a child process): its recommended-strict rules, every one an error.
 * The project has not chosen a license; when it does, put it in info.license and drop that exception.
 */
function redoclyLint(document: object): string[] {
  const script = `
    import { createConfig, lintFromString } from "@redocly/openapi-core";
    let source = "";
    for await (const chunk of process.stdin) source += chunk;
    const config = await createConfig({ extends: ["recommended-strict"], rules: { "info-license": "off" } });
    const problems = await lintFromString({ source, absoluteRef: "openapi.json", config });
    console.log(JSON.stringify(problems.map((p) => p.ruleId + ": " + p.message + " at " + p.location[0]?.pointer)));
  `;
  const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: join(__dirname, "../.."),
    input: JSON.stringify(document),
    encoding: "utf8",
  });
  return JSON.parse(output) as string[];
}

const dropMapping = (key: string, value: unknown) => (key === "mapping" ? undefined : value);

const generated = () => JSON.parse(JSON.stringify(openApiDocument())) as Document;
const operations = (doc: Document) => Object.values(doc.paths).flatMap((item) => Object.values(item));
const mentionsClosedObject = (schema: object) =>
  JSON.stringify(schema).includes('"additionalProperties":false');

describe("the OpenAPI document", () => {
  it("validates against the OpenAPI 3.1 specification (@readme/openapi-parser), without a warning", async () => {
    const result = await validate(generated() as never);
    expect(result.valid ? [] : compileErrors(result)).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it("passes Redocly's recommended-strict lint with no problem", () => {
    expect(redoclyLint(openApiDocument())).toEqual([]);
  });

  it("is checked for real: a path parameter the path does not name is refused", async () => {
    const doc = generated();
    Object.assign(doc.paths["/agents"].get, {
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
    });
    expect((await validate(doc as never)).valid).toBe(false);
  });

  it("has every operation of the route table, with its operationId and tag", () => {
    const doc = generated();
    for (const [operationId, route] of Object.entries(API_ROUTES))
      expect(doc.paths[route.path][route.method.toLowerCase()]).toMatchObject({
        operationId,
        tags: [route.tag],
      });
    expect(operations(doc)).toHaveLength(Object.keys(API_ROUTES).length);
  });

  it("answers login with its real errors: no 403 or 404, a 429 with Retry-After and the rate-limit headers", () => {
    const login = generated().paths["/auth/login"].post as Operation & {
      responses: Record<string, { headers: Record<string, unknown> }>;
    };
    expect(Object.keys(login.responses).sort()).toEqual(["200", "400", "401", "413", "429", "500", "503"]);
    expect(Object.keys(login.responses["429"].headers)).toEqual(
      expect.arrayContaining(["Retry-After", "RateLimit", "RateLimit-Policy", "X-Request-Id"]),
    );
  });

  it("gives every example of the seed's walk-through, and each validates against its schema", () => {
    const doc = generated();
    let examples = 0;
    for (const op of operations(doc)) {
      // bytes (an upload, a download) have no JSON example
      const media = [
        op.requestBody?.content["application/json"],
        op.responses["200"].content["application/json"],
      ];
      for (const { schema, example } of media.filter((m) => m !== undefined)) {
        expect(example).toBeDefined();
        // ajv does not take OpenAPI's discriminator mapping; oneOf alone decides validity
        const check = compile(
          JSON.parse(JSON.stringify({ ...schema, components: doc.components }), dropMapping),
        );
        expect({ op: op.operationId, valid: check(example), errors: check.errors ?? null }).toMatchObject({
          valid: true,
        });
        examples++;
      }
    }
    expect(examples).toBeGreaterThan(Object.keys(API_ROUTES).length);
  });

  it("keeps requests strict and leaves responses open to added fields", () => {
    const { schemas } = generated().components as Record<string, Record<string, object>>;
    for (const name of ["Agent", "Chat", "Participant", "Message", "LoginResponse", "MessagePage", "Error"])
      expect({ name, closed: mentionsClosedObject(schemas[name]) }).toEqual({ name, closed: false });
    for (const name of ["LoginRequest", "CreateChatRequest", "CreateMessageRequest", "ReactionRequest"])
      expect(schemas[name]).toMatchObject({ additionalProperties: false });
  });

  it("names the contract's error vocabulary, and offers agents only normal messages", () => {
    const { schemas } = generated().components as Record<string, Record<string, any>>;
    expect(schemas.Error.properties.error.properties.reason.enum).toEqual([...ERROR_REASONS]);
    expect(schemas.CreateMessageRequest.properties.type.enum).toEqual(["normal"]);
  });

  it("is committed as docs/openapi.json, up to date (regenerate with `pnpm docs:api`)", () => {
    const committed = JSON.parse(readFileSync(join(__dirname, "../../../../docs/openapi.json"), "utf8"));
    expect(committed).toEqual(generated());
  });
});
