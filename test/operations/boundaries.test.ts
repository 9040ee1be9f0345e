/**
 * `pnpm lint` keeps the layers apart (eslint.config.mjs): a domain module that imports a store, a
 * database or the bus fails it, and so does a store that calls a domain rule. Run as CI runs it, on
 * a file placed in the folder (stdin, so the tree itself stays clean).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const eslint = join(root, "node_modules", "eslint", "bin", "eslint.js");

function lint(path: string, code: string) {
  const result = spawnSync(
    process.execPath,
    [eslint, "--stdin", "--stdin-filename", path, "--format", "json"],
    {
      cwd: root,
      input: code,
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  const [report] = JSON.parse(result.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return { status: result.status, messages: report.messages };
}

describe("layer boundaries in lint", () => {
  it("fails a domain module that imports a store", () => {
    const { status, messages } = lint(
      "services/chat-manager/src/domain/uses-store.ts",
      'import { ChatStore } from "../store/chat-store";\n\nexport const store = ChatStore;\n',
    );
    expect(status).toBe(1);
    expect(messages).toEqual([
      expect.objectContaining({
        ruleId: "@typescript-eslint/no-restricted-imports",
        message: expect.stringContaining("'../store/chat-store' import is restricted"),
      }),
    ]);
  });

  it.each(["knex", "@talk/db", "@talk/bus", "pg"])("fails a domain module that imports %s", (module) => {
    const { status, messages } = lint(
      "services/message-manager/src/domain/does-io.ts",
      `import * as io from "${module}";\n\nexport const used = io;\n`,
    );
    expect(status).toBe(1);
    expect(messages.map((m) => m.message)).toEqual([expect.stringContaining("Domain modules do no I/O")]);
  });

  it("fails a store that calls a domain rule, and lets it name a domain type", () => {
    const calls = lint(
      "services/message-manager/src/store/applies-rules.ts",
      'import { assertMember } from "../domain/message-rules";\n\nexport const rule = assertMember;\n',
    );
    expect(calls.status).toBe(1);
    expect(calls.messages.map((m) => m.message)).toEqual([
      expect.stringContaining("Stores keep data and never apply domain rules"),
    ]);
    const names = lint(
      "services/message-manager/src/store/names-a-type.ts",
      'import type { ChatView } from "../domain/message-rules";\n\nexport type View = ChatView;\n',
    );
    expect(names).toEqual({ status: 0, messages: [] });
  });

  it("passes a domain module that only decides", () => {
    const { status, messages } = lint(
      "services/chat-manager/src/domain/pure.ts",
      'import { invalid } from "@talk/contracts";\n\nexport const check = (n: number) => {\n  if (n < 0) throw invalid("NEGATIVE", "n is negative");\n};\n',
    );
    expect({ status, messages }).toEqual({ status: 0, messages: [] });
  });
});
