/**
 * What the console's browser tests share: the embedded system serving a fresh build of the
 * console, headless Chromium (Debian's, driven by playwright-core), a customer whose agents have
 * people's names, signing in, and an axe-core check (WCAG 2.1 A and AA) of the page as it is.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { chromiumPath } from "@talk/testkit";
import { type TestStack, startEmbeddedStack, useStack } from "../support/stacks";

export const ROOT = resolve(__dirname, "../..");
export const LIVE = { timeout: 15_000 };
export const DESKTOP = { width: 1280, height: 760 };
export const PHONE = { width: 390, height: 844 };
export const TABLET = { width: 820, height: 1180 };

export interface DemoAgent {
  id: string;
  username: string;
  password: string;
  name: string;
}

/** A customer whose agents have people's names (for a screenshot worth showing). */
export async function demoCustomer(stack: TestStack): Promise<DemoAgent[]> {
  const customer = await stack.bus.call("customer.create", { name: "Console demo" });
  const suffix = customer.id.slice(0, 6);
  const agents: DemoAgent[] = [];
  for (const [first, name] of [
    ["alice", "Alice Admin"],
    ["bob", "Bob Builder"],
    ["carol", "Carol Chen"],
  ]) {
    const username = `${first}-${suffix}`;
    const password = `${first}-console-test`;
    const agent = await stack.bus.call("agent.create", {
      customer_id: customer.id,
      agent: { username, password, name, permission: first === "alice" ? "admin" : "agent" },
    });
    agents.push({ id: agent.id, username, password, name });
  }
  return agents;
}

/** The embedded system serving a console built just now, a browser, and the demo agents. */
export function useConsole() {
  const current = useStack(() => {
    // The system serves packages/console/dist: build it first (a second or two).
    execFileSync(join(ROOT, "node_modules/.bin/pnpm"), ["--filter", "@talk/console", "build"], {
      cwd: ROOT,
      stdio: "pipe",
    });
    return startEmbeddedStack();
  });
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const agents: DemoAgent[] = [];
  const pageErrors: string[] = [];

  // No page ever throws.
  afterEach(() => expect(pageErrors.splice(0)).toEqual([]));

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    agents.push(...(await demoCustomer(current())));
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
  });

  /** A new browser context (its own storage) on the console's login page. */
  async function newPage(viewport = DESKTOP): Promise<Page> {
    if (!browser) throw new Error("the browser did not start");
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(current().api.baseUrl + "/");
    return page;
  }

  /** Signs in as `agent` (in a new context, or on `page`) and waits until live updates flow. */
  async function signIn(agent: DemoAgent, options: { viewport?: typeof DESKTOP; page?: Page } = {}) {
    const page = options.page ?? (await newPage(options.viewport));
    await page.getByLabel("Username").fill(agent.username);
    await page.getByLabel("Password").fill(agent.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(".status-live").waitFor(LIVE);
    return page;
  }

  /** An API client of `agent`, for setting the scene faster than clicking. */
  async function apiAs(agent: DemoAgent) {
    const login = await current().api.post<{ token: string }>("/auth/login", {
      username: agent.username,
      password: agent.password,
    });
    return current().api.as(login.body.token);
  }

  return {
    stack: current,
    agents: () => {
      const [alice, bob, carol] = agents;
      return { alice, bob, carol };
    },
    newPage,
    signIn,
    apiAs,
  };
}

export const chatButton = (page: Page, name: string) =>
  page.getByRole("navigation").getByRole("button", { name: new RegExp(name) });

/** The message of the open chat (not its thread) whose text is exactly `text`. */
export const messageWith = (page: Page, text: string) =>
  page.locator(".chat-view .message").filter({ has: page.getByText(text, { exact: true }) });

const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/**
 * The WCAG 2.1 A/AA violations axe-core finds on the page as it is now, as readable lines
 * ("color-contrast: .message time — Fix any of …"); `[]` when there are none. Injected through
 * the DevTools protocol, which the page's Content-Security-Policy does not apply to.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate<boolean>("typeof axe === 'object'"))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<{ id: string; nodes: string[] }[]>(
    `axe.run(document, { runOnly: { type: "tag", values: ${JSON.stringify(WCAG_21_AA)} } }).then((results) =>
      results.violations.map((v) => ({
        id: v.id,
        nodes: v.nodes.map((n) => n.target.join(" ") + " — " + (n.failureSummary || "")),
      })))`,
  );
  return violations.flatMap((v) => v.nodes.map((node) => `${v.id}: ${node}`));
}

/** How wide the page is against the viewport (wider: something overflows sideways). */
export function pageWidth(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(
    "({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })",
  );
}
