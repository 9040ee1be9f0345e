/**
 * A client generated from the served OpenAPI document with a mainstream generator
 * (openapi-typescript for the types, openapi-fetch for the calls) compiles with tsc and runs the
 * seed's walk-through against the embedded system: log in, create a chat, send, list.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { newCustomer, startEmbeddedStack, useStack } from "../support/stacks";

const root = join(__dirname, "../..");
const modules = join(root, "node_modules");
/** Runs node in a child process without blocking this one: the stack under test lives here. */
const node = async (args: string[], cwd: string) =>
  (await promisify(execFile)(process.execPath, args, { cwd, encoding: "utf8", timeout: 120_000 })).stdout;

/** A scratch project that sees openapi-fetch (and @types/node) the way an npm install would. */
function scratchProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "talk-generated-client-"));
  mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
  symlinkSync(realpathSync(join(modules, "openapi-fetch")), join(dir, "node_modules", "openapi-fetch"));
  symlinkSync(realpathSync(join(modules, "@types", "node")), join(dir, "node_modules", "@types", "node"));
  copyFileSync(join(__dirname, "generated-client", "seed-flow.mts"), join(dir, "seed-flow.mts"));
  return dir;
}

const current = useStack(startEmbeddedStack);

describe("a client generated from the OpenAPI document", () => {
  let dir: string;
  beforeAll(() => {
    dir = scratchProject();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("compiles with tsc and runs the seed's flow: log in, create a chat, send, list", async () => {
    const stack = current();
    const { agents } = await newCustomer(stack, 2);
    const [alice, bob] = agents;

    await node(
      [
        join(modules, "openapi-typescript/bin/cli.js"),
        `${stack.api.baseUrl}/v1.0/openapi.json`,
        "-o",
        "talk-api.d.ts",
      ],
      dir,
    );
    const tsc = join(dirname(require.resolve("typescript/package.json", { paths: [root] })), "bin", "tsc");
    await node(
      [
        tsc,
        "--strict",
        "--target",
        "es2022",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--types",
        "node",
        "--outDir",
        "out",
        "seed-flow.mts",
      ],
      dir,
    );
    const output = await node(
      [
        join(dir, "out", "seed-flow.mjs"),
        stack.api.baseUrl,
        alice.username,
        `password-0-${alice.customer_id}`,
        bob.id,
      ],
      dir,
    );

    const seen = JSON.parse(output);
    expect(seen.login).toMatchObject({ username: alice.username, requestId: expect.any(String) });
    expect(seen.login.rateLimit).toMatch(/limit=\d+, remaining=\d+, reset=\d+/);
    expect(seen.chat).toMatchObject({ type: "group", name: "Project Discussion", member_count: 2 });
    expect(seen.sent).toMatchObject({ chat_id: seen.chat.id, type: "normal", owner_id: alice.id });
    expect(seen.history[0]).toEqual({
      id: seen.sent.id,
      type: "normal",
      text: "Hello team! Let's discuss the new feature.",
    });
    expect(seen.history.slice(1).every((m: { type: string }) => m.type === "system")).toBe(true);
    expect(seen.missing).toEqual({ status: 404, reason: "CHAT_NOT_FOUND" });
  });
});
