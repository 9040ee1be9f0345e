/**
 * CORS in a real browser: Debian's headless Chromium (playwright-core) loads a page from another
 * origin than the API's and calls it with `fetch` and `WebSocket`, as a web app on its own domain
 * would. A page of an allowed origin logs in, creates a chat, sends, and gets its message over the
 * WebSocket; a page of any other origin is refused by the browser (fetch) and by push (upgrade).
 * Both origins are local (127.0.0.1 and localhost on one port), so the browser applies exactly
 * the CORS rules and nothing else.
 *
 * Needs /usr/bin/chromium, like test/console/console.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { type EmbeddedSystem, startEmbedded } from "@talk/embedded";
import { silentLogger } from "@talk/kit";
import { chromiumPath, describeNeeding } from "@talk/testkit";

const suite = describeNeeding(["chromium"]);

/** What the page does, in the browser: log in, create a chat, send, and see the message live. */
async function useTheApi(api: string): Promise<string[]> {
  const steps: string[] = [];
  const json = { "content-type": "application/json" };
  const login = await fetch(`${api}/v1.0/auth/login`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ username: "alice", password: "alice-talk-demo" }),
  });
  const { token } = (await login.json()) as { token: string };
  steps.push(`login ${login.status} request id ${login.headers.get("x-request-id") ? "readable" : "hidden"}`);
  const auth = { ...json, authorization: `Bearer ${token}`, "idempotency-key": crypto.randomUUID() };
  const chat = await fetch(`${api}/v1.0/service_agents/talk_chats`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ type: "group", name: "From another origin" }),
  });
  const { id } = (await chat.json()) as { id: string };
  steps.push(`chat ${chat.status}`);
  const ws = new WebSocket(`${api.replace(/^http/, "ws")}/v1.0/ws?token=${encodeURIComponent(token)}`);
  let sending: Promise<Response> | undefined;
  const live = new Promise<string>((resolve, reject) => {
    ws.onerror = () => reject(new Error("the WebSocket failed"));
    ws.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as { type: string; data?: { text?: string } };
      if (frame.type === "subscribed")
        sending = fetch(`${api}/v1.0/service_agents/talk_messages`, {
          method: "POST",
          headers: { ...auth, "idempotency-key": crypto.randomUUID() },
          body: JSON.stringify({ chat_id: id, type: "normal", text: "hello across origins" }),
        });
      if (frame.type === "chatmessage_created" && frame.data?.text === "hello across origins")
        resolve(`live "${frame.data.text}"`);
    };
  });
  const me = (JSON.parse(atob(token.split(".")[1])) as { sub: string }).sub;
  ws.onopen = () => ws.send(JSON.stringify({ type: "subscribe", topics: [`agent_id:${me}:chat:${id}`] }));
  const seen = await live;
  steps.push(`send ${(await sending)?.status}`, seen);
  ws.close();
  return steps;
}

/** What a page of a refused origin gets: fetch fails (CORS), the WebSocket closes without opening. */
async function tryTheApi(api: string): Promise<string[]> {
  const steps: string[] = [];
  try {
    await fetch(`${api}/v1.0/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "alice", password: "alice-talk-demo" }),
    });
    steps.push("fetch answered");
  } catch (error) {
    steps.push(`fetch refused: ${(error as Error).name}`);
  }
  const ws = new WebSocket(`${api.replace(/^http/, "ws")}/v1.0/ws?token=any`);
  steps.push(
    await new Promise<string>((resolve) => {
      ws.onopen = () => resolve("websocket opened");
      ws.onclose = (event) => resolve(`websocket closed ${event.code}`);
    }),
  );
  return steps;
}

suite("a browser page on another origin (headless Chromium)", () => {
  let system: EmbeddedSystem;
  let pages: Server;
  let browser: Browser;
  let dataDir: string;
  let port: number;

  beforeAll(async () => {
    pages = createServer((_req, res) => res.end("<!doctype html><title>A web app</title>"));
    await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve));
    port = (pages.address() as AddressInfo).port;
    dataDir = mkdtempSync(join(tmpdir(), "talk-cors-browser-"));
    system = await startEmbedded({
      dataDir,
      port: 0,
      logger: silentLogger,
      allowedOrigins: [`http://127.0.0.1:${port}`],
    });
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
      ],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await new Promise((resolve) => pages?.close(resolve));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("an allowed origin's page logs in, creates a chat, sends, and gets its message over the WebSocket", async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const steps = await page.evaluate(useTheApi, system.url);
    expect(steps).toEqual([
      "login 200 request id readable",
      "chat 200",
      "send 200",
      'live "hello across origins"',
    ]);
    await page.close();
  });

  it("another origin's page is refused: fetch fails in the browser, the WebSocket never opens", async () => {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${port}/`);
    const steps = await page.evaluate(tryTheApi, system.url);
    expect(steps).toEqual(["fetch refused: TypeError", "websocket closed 1006"]);
    await page.close();
  });
});
