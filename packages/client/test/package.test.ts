/**
 * The published package as a user gets it: `pnpm pack`'s tarball installed with npm into an empty
 * folder, then the quickstart run with plain `node` (ESM), loaded with `require` (CommonJS) and
 * type-checked as a TypeScript consumer would — against an embedded system started here.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { type EmbeddedSystem, startEmbedded } from "@talk/embedded";
import { silentLogger } from "@talk/kit";

const run = promisify(execFile);
const PACKAGE_DIR = resolve(__dirname, "..");
const REPOSITORY = resolve(PACKAGE_DIR, "../..");
const bin = (name: string) => join(REPOSITORY, "node_modules/.bin", name);

describe("the packed SDK, installed into an empty folder", () => {
  let system: EmbeddedSystem;
  let work: string;
  let app: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "talk-sdk-package-"));
    await run(bin("pnpm"), ["pack", "--pack-destination", work], { cwd: PACKAGE_DIR });
    const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
    if (!tarball) throw new Error(`pnpm pack left no tarball in ${work}`);
    app = join(work, "app");
    await run("mkdir", [app]);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "sdk-user", private: true }));
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(work, tarball)], {
      cwd: app,
    });
    copyFileSync(join(PACKAGE_DIR, "examples/quickstart.mjs"), join(app, "quickstart.mjs"));
    const dataDir = join(work, "data");
    system = await startEmbedded({ dataDir, port: 0, logger: silentLogger, seed: true });
  }, 300_000);
  afterAll(async () => {
    await system?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("depends at run time on public packages only, and ships its build, README, changelog and license", () => {
    const installed = JSON.parse(
      readFileSync(join(app, "node_modules/@talk/client/package.json"), "utf8"),
    ) as { dependencies?: Record<string, string>; license?: string };
    expect(Object.keys(installed.dependencies ?? {})).toEqual(["ws"]);
    expect(installed.license).toBe("MIT");
    expect(readdirSync(join(app, "node_modules/@talk"))).toEqual(["client"]);
    expect(readdirSync(join(app, "node_modules/@talk/client")).sort()).toEqual(
      ["CHANGELOG.md", "LICENSE", "README.md", "dist", "package.json"].sort(),
    );
  });

  it("runs the quickstart with plain node: logs in, creates a group, gets its message live, reads history, shows an error", async () => {
    const { stdout } = await run("node", ["quickstart.mjs", system.url, "alice", "alice-talk-demo"], {
      cwd: app,
      timeout: 60_000,
    });
    expect(stdout.trim().split("\n")).toEqual([
      "logged in as alice",
      'created "Quickstart"',
      expect.stringMatching(/^live: chatmessage_created #\d+ "Hello from plain Node!"$/),
      "history: Hello from plain Node!",
      "history: Alice Admin joined the conversation.",
      "error: 404 CHAT_NOT_FOUND",
    ]);
  });

  it("loads with require (CommonJS): logs in and opens the WebSocket (Node's entry brings ws)", async () => {
    const script = `
      const { TalkClient } = require("@talk/client");
      TalkClient.login(${JSON.stringify(system.url)}, "bob", "bob-talk-demo").then(async (bob) => {
        const live = bob.realtime();
        await live.ready;
        live.close();
        console.log(bob.identity.username, TalkClient === require("@talk/client/node").TalkClient);
      });`;
    const { stdout } = await run("node", ["-e", script], { cwd: app, timeout: 30_000 });
    expect(stdout.trim()).toBe("bob true");
  });

  it("type-checks a strict TypeScript consumer against its declarations", async () => {
    writeFileSync(
      join(app, "consumer.mts"),
      `import { TalkApiError, TalkClient, type Message, type RealtimeEvent, type TalkErrorReason } from "@talk/client";
       const client: TalkClient = await TalkClient.login("http://localhost:8080", "alice", "secret");
       const sent: Message = await client.messages.send({ chat_id: "c", text: "hi" });
       client.realtime({ onEvent: (event: RealtimeEvent) => console.log(event.seq, event.chat_id) });
       export const reason = (error: TalkApiError): string => error.reason + sent.id;
       export const known: TalkErrorReason[] = ["CHAT_NOT_FOUND", "ORIGIN_NOT_ALLOWED", "HTTP_502"];
       // @ts-expect-error: not a reason of the API's vocabulary
       export const unknown: TalkErrorReason = "CHAT_NOT_FOUNDD";\n`,
    );
    await run(
      bin("tsc"),
      [
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--lib",
        "es2022,dom",
        "consumer.mts",
      ],
      { cwd: app },
    ).catch((error: { stdout?: string }) => {
      throw new Error(`tsc failed:\n${error.stdout ?? String(error)}`);
    });
  });
});
