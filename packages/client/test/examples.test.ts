/**
 * The SDK's examples, run as a reader would run them against `npx pnpm start`: here against an
 * embedded system with the same demo customer (alice, bob, carol).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EmbeddedSystem, startEmbedded } from "@talk/embedded";
import { silentLogger } from "@talk/kit";
import { main as live } from "../examples/live";
import { main as quickstart } from "../examples/quickstart";

describe("the SDK's examples (embedded, demo agents)", () => {
  let system: EmbeddedSystem;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "talk-examples-"));
    system = await startEmbedded({ dataDir, port: 0, logger: silentLogger, seed: true });
  });
  afterAll(async () => {
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = async (example: (baseUrl: string, log: (line: string) => void) => Promise<void>) => {
    const lines: string[] = [];
    await example(system.url, (line) => lines.push(line));
    return lines;
  };

  it("quickstart: logs in, talks in a group, pages its history, shows an error", async () => {
    const lines = await run(quickstart);
    expect(lines).toEqual(
      expect.arrayContaining([
        "logged in as alice (admin) and bob",
        'created "Project Discussion" with 2 members',
        "  - Great idea! (reply)",
        "  - Hello team! Let's discuss the new feature. [thumbsup]",
        expect.stringMatching(/^bob may not delete alice's message: 403 NOT_THE_AUTHOR: /),
      ]),
    );
  });

  it("live: iterates events, then resumes from its cursor with exactly what it missed", async () => {
    const lines = await run(live);
    const resumed = lines.filter((line) => line.startsWith("[bob, resumed]"));
    expect(resumed).toEqual([
      expect.stringMatching(/chatmessage_created #\d+: "four"$/),
      expect.stringMatching(/chatmessage_created #\d+: "five"$/),
    ]);
    expect(
      lines
        .filter((line) => /^\[bob\] chatmessage_created/.test(line))
        .map((line) => line.replace(/#\d+/, "#n")),
    ).toEqual([
      '[bob] chatmessage_created #n: "Bob Builder joined the conversation."',
      '[bob] chatmessage_created #n: "one"',
      '[bob] chatmessage_created #n: "two"',
      '[bob] chatmessage_created #n: "three"',
    ]);
  });
});
