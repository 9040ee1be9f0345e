/**
 * The web console end to end, in a real browser: Debian's headless Chromium driven by
 * playwright-core, against the embedded system serving the console at `/`. Two agents in two
 * browser contexts see each other's messages, replies, reactions and deletions live, without a
 * reload; a channel is joined; history is paged; presence dots change and "… is typing…" shows.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`): without it the suite is skipped, saying
 * so — except under CI=true, where it fails. `TALK_WRITE_SCREENSHOT=1` saves docs/console.png.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { chromiumPath, describeNeeding } from "@talk/testkit";
import { type TestStack, startEmbeddedStack, useStack } from "../support/stacks";

const CHROMIUM = chromiumPath();
const ROOT = resolve(__dirname, "../..");
const LIVE = { timeout: 15_000 };

const suite = describeNeeding(["chromium"]);

interface DemoAgent {
  id: string;
  username: string;
  password: string;
  name: string;
}

/** A customer whose agents have people's names (for a screenshot worth showing). */
async function demoCustomer(stack: TestStack): Promise<DemoAgent[]> {
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

suite("the web console (headless Chromium)", () => {
  const current = useStack(() => {
    // The system serves packages/console/dist: build it first (a second or two).
    execFileSync(join(ROOT, "node_modules/.bin/pnpm"), ["--filter", "@talk/console", "build"], {
      cwd: ROOT,
      stdio: "pipe",
    });
    return startEmbeddedStack();
  });
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let alice: DemoAgent, bob: DemoAgent, carol: DemoAgent;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
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
    [alice, bob, carol] = await demoCustomer(current());
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
  });

  async function signIn(agent: DemoAgent): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(current().api.baseUrl + "/");
    await page.getByLabel("Username").fill(agent.username);
    await page.getByLabel("Password").fill(agent.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText(agent.name, { exact: true }).first().waitFor(LIVE);
    await page.locator(".status-live").waitFor(LIVE);
    expect(errors).toEqual([]);
    return page;
  }

  const chatButton = (page: Page, name: string) =>
    page.getByRole("navigation").getByRole("button", { name: new RegExp(name) });
  /** The message of the open chat (not its thread) whose text is exactly `text`. */
  const messageWith = (page: Page, text: string) =>
    page.locator(".chat-view .message").filter({ has: page.getByText(text, { exact: true }) });

  it("lets two agents talk live: a new group, messages, a thread reply, a reaction, a deletion", async () => {
    const alicePage = await signIn(alice);
    const bobPage = await signIn(bob);

    // Alice creates a group with Bob: it appears in Bob's list without a reload.
    await alicePage.getByRole("button", { name: "New chat" }).click();
    await alicePage.getByLabel("Name").fill("Launch plan");
    await alicePage.getByRole("checkbox", { name: bob.name }).check();
    await alicePage.getByRole("button", { name: "Create" }).click();
    await alicePage.getByRole("heading", { name: "Launch plan" }).waitFor(LIVE);
    await chatButton(bobPage, "Launch plan").waitFor(LIVE);

    // Alice writes; Bob, who has the chat open, sees it arrive.
    await chatButton(bobPage, "Launch plan").click();
    const composer = alicePage.getByLabel("Message Launch plan");
    await composer.fill("Hello Bob! The launch is on Friday.");
    await composer.press("Enter");
    await messageWith(bobPage, "Hello Bob! The launch is on Friday.").waitFor(LIVE);
    await expect(bobPage.getByText(`${alice.name} joined the conversation.`).count()).resolves.toBe(1);

    // Bob replies in the thread and reacts; Alice sees both.
    const hello = messageWith(bobPage, "Hello Bob! The launch is on Friday.");
    await hello.hover();
    await hello.getByRole("button", { name: "Reply" }).click();
    await bobPage.getByLabel("Reply in thread").fill("Great, I will prepare the release notes.");
    await bobPage.getByLabel("Reply in thread").press("Enter");
    await hello.hover();
    await hello.getByRole("button", { name: "React 👍" }).click();

    const aliceHello = messageWith(alicePage, "Hello Bob! The launch is on Friday.");
    await aliceHello.getByRole("button", { name: "👍 1" }).waitFor(LIVE);
    await aliceHello.getByRole("button", { name: "1 reply" }).click();
    await alicePage
      .getByRole("complementary", { name: "Thread" })
      .getByText("Great, I will prepare the release notes.")
      .waitFor(LIVE);

    // Alice sends and deletes a message: Bob sees the tombstone.
    await composer.fill("Oops, wrong chat");
    await composer.press("Enter");
    await messageWith(bobPage, "Oops, wrong chat").waitFor(LIVE);
    const oops = messageWith(alicePage, "Oops, wrong chat");
    await oops.hover();
    await oops.getByRole("button", { name: "Delete" }).click();
    await bobPage.getByText("This message was deleted.").waitFor(LIVE);
    await expect(messageWith(bobPage, "Oops, wrong chat").count()).resolves.toBe(0);

    // Alice edits her message in place; Bob sees the new text marked as edited, and its history.
    await aliceHello.hover();
    await aliceHello.getByRole("button", { name: "Edit" }).click();
    await alicePage.getByLabel("Edit message").fill("Hello Bob! The launch is on Monday.");
    await alicePage.getByLabel("Edit message").press("Enter");
    const edited = messageWith(bobPage, "Hello Bob! The launch is on Monday.");
    await edited.getByRole("button", { name: "(edited)" }).waitFor(LIVE);
    await edited.getByRole("button", { name: "(edited)" }).click();
    await edited
      .getByRole("list", { name: "Earlier versions" })
      .getByText(/on Friday/)
      .waitFor(LIVE);

    // Bob pins it; Alice sees it in the chat's pins panel.
    await edited.hover();
    await edited.getByRole("button", { name: "Pin" }).click();
    await alicePage
      .getByRole("complementary", { name: "Pinned messages" })
      .getByText("Hello Bob! The launch is on Monday.")
      .waitFor(LIVE);

    // Bob finds it through search; the hit opens the message in its chat.
    await bobPage.getByLabel("Search messages").fill("monday");
    await bobPage.getByLabel("Search messages").press("Enter");
    const hit = bobPage.getByRole("list", { name: "Search results" }).getByRole("button").first();
    await hit.locator("mark").waitFor(LIVE);
    await hit.click();
    await bobPage.locator(".message.focused", { hasText: "on Monday" }).waitFor(LIVE);

    // Alice opens a public channel and writes in it.
    await alicePage.getByRole("button", { name: "New chat" }).click();
    await alicePage.getByLabel("Name").fill("#announcements");
    await alicePage.getByLabel("Kind").selectOption("talk");
    await alicePage.getByRole("button", { name: "Create" }).click();
    await alicePage.getByRole("heading", { name: "#announcements" }).waitFor(LIVE);
    await alicePage.getByLabel("Message #announcements").fill("Release notes go here.");
    await alicePage.getByLabel("Message #announcements").press("Enter");

    // Bob finds the public channel, joins it, and reads it.
    await bobPage.getByRole("button", { name: "Refresh channels" }).click();
    await bobPage.getByRole("button", { name: "Join #announcements" }).click();
    await bobPage.getByRole("heading", { name: "#announcements" }).waitFor(LIVE);
    await messageWith(bobPage, "Release notes go here.").waitFor(LIVE);
    await alicePage.getByText("2 members").waitFor(LIVE);

    // A message in a chat Bob is not looking at marks that chat unread.
    await chatButton(alicePage, "Launch plan").click();
    await composer.fill("One more thing: the demo is at 3pm.");
    await composer.press("Enter");
    await chatButton(bobPage, "Launch plan").getByLabel("unread").waitFor(LIVE);
    await chatButton(bobPage, "Launch plan").click();
    await messageWith(bobPage, "One more thing: the demo is at 3pm.").waitFor(LIVE);
    await expect(chatButton(bobPage, "Launch plan").getByLabel("unread").count()).resolves.toBe(0);

    await messageWith(alicePage, "Hello Bob! The launch is on Monday.")
      .getByRole("button", { name: "1 reply" })
      .click();
    await alicePage.getByRole("complementary", { name: "Thread" }).waitFor(LIVE);
    if (process.env.TALK_WRITE_SCREENSHOT) {
      mkdirSync(join(ROOT, "docs"), { recursive: true });
      await alicePage.screenshot({ path: join(ROOT, "docs/console.png") });
    }
  });

  it("shows a colleague's presence change and that they are typing, in the chat and in a thread", async () => {
    const alicePage = await signIn(alice);
    await alicePage.getByRole("button", { name: "New chat" }).click();
    await alicePage.getByLabel("Name").fill("Standup");
    await alicePage.getByRole("checkbox", { name: carol.name }).check();
    await alicePage.getByRole("button", { name: "Create" }).click();
    await alicePage.getByRole("heading", { name: "Standup" }).waitFor(LIVE);
    const carolChip = alicePage
      .getByRole("list", { name: "Participants" })
      .getByRole("listitem")
      .filter({ hasText: carol.name });
    await carolChip.getByRole("img", { name: "offline" }).waitFor(LIVE);

    // Carol signs in: her dot turns online on Alice's screen, without a reload.
    const carolPage = await signIn(carol);
    await carolChip.getByRole("img", { name: "online" }).waitFor(LIVE);

    // Carol types: Alice sees it; Carol's message ends it at once.
    await chatButton(carolPage, "Standup").click();
    await carolPage.getByRole("heading", { name: "Standup" }).waitFor(LIVE);
    const carolComposer = carolPage.getByLabel("Message Standup");
    await carolComposer.fill("Yesterday I fixed the");
    await alicePage.getByText(`${carol.name} is typing…`).waitFor(LIVE);
    await carolComposer.fill("Yesterday I fixed the login bug.");
    await carolComposer.press("Enter");
    await messageWith(alicePage, "Yesterday I fixed the login bug.").waitFor(LIVE);
    await expect(alicePage.getByText(`${carol.name} is typing…`).count()).resolves.toBe(0);

    // In a thread: Alice opens the reply box of Carol's message, Carol sees Alice typing there.
    const update = messageWith(alicePage, "Yesterday I fixed the login bug.");
    await update.hover();
    await update.getByRole("button", { name: "Reply" }).click();
    const carolUpdate = messageWith(carolPage, "Yesterday I fixed the login bug.");
    await carolUpdate.hover();
    await carolUpdate.getByRole("button", { name: "Reply" }).click();
    await alicePage.getByLabel("Reply in thread").fill("Nice, which");
    await carolPage
      .getByRole("complementary", { name: "Thread" })
      .getByText(`${alice.name} is typing…`)
      .waitFor(LIVE);
    await expect(carolPage.locator(".chat-view").getByText(`${alice.name} is typing…`).count()).resolves.toBe(
      0,
    );

    // Carol sets "do not disturb", then leaves: Alice sees both.
    await carolPage.getByLabel("My status").selectOption("dnd");
    await carolChip.getByRole("img", { name: "do not disturb" }).waitFor(LIVE);
    await carolPage.context().close();
    await carolChip.getByRole("img", { name: "offline" }).waitFor(LIVE);
  });

  it("pages back through a long history", async () => {
    const stack = current();
    const login = await stack.api.post<{ token: string }>("/auth/login", {
      username: alice.username,
      password: alice.password,
    });
    const api = stack.api.as(login.body.token);
    const chat = await api.post("/service_agents/talk_chats", { type: "group", name: "Long history" });
    for (let i = 1; i <= 45; i++)
      await api.post("/service_agents/talk_messages", {
        chat_id: chat.body.id,
        type: "normal",
        text: `Message number ${i}`,
      });

    const page = await signIn(alice);
    await chatButton(page, "Long history").click();
    await messageWith(page, "Message number 45").waitFor(LIVE);
    await expect(messageWith(page, "Message number 1").count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Load older messages" }).click();
    await messageWith(page, "Message number 1").waitFor(LIVE);
    await expect(page.getByRole("button", { name: "Load older messages" }).count()).resolves.toBe(0);
  });
});
