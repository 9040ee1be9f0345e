/**
 * Reading in the web console as a real client reads, in headless Chromium: older messages load
 * as the reader scrolls up with the first visible message kept in place; messages are grouped
 * by author under date separators; a "new messages" divider, live unread counts that opening
 * the chat clears (on the server too); jump-to-latest; Markdown, links and mentions rendered
 * without ever running what a message contains. axe-core checks every state visited.
 */
import type { Page } from "playwright-core";
import { describeNeeding, waitFor } from "@talk/testkit";
import { LIVE, axeViolations, chatButton, messageWith, useConsole } from "./browser";

const suite = describeNeeding(["chromium"]);

/** Where a message is on screen (its top, in CSS pixels), or undefined when it is not rendered. */
const topOf = (page: Page, text: string) =>
  messageWith(page, text)
    .first()
    .evaluate((element) => element.getBoundingClientRect().top);

suite("reading in the web console (headless Chromium)", () => {
  const { signIn, agents, apiAs } = useConsole();

  it("loads older messages as the reader scrolls up, keeping the first visible message where it was", async () => {
    const { alice } = agents();
    const api = await apiAs(alice);
    const chat = await api.post("/service_agents/talk_chats", { type: "group", name: "Long history" });
    for (let i = 1; i <= 75; i++)
      await api.post("/service_agents/talk_messages", {
        chat_id: chat.body.id,
        type: "normal",
        text: `Message number ${i}`,
      });

    const page = await signIn(alice);
    await chatButton(page, "Long history").click();
    await messageWith(page, "Message number 75").waitFor(LIVE);
    await expect(messageWith(page, "Message number 1").count()).resolves.toBe(0);
    const oldest = "Message number 46"; // the newest page holds 46…75

    // Scroll to the top: the oldest loaded message is first on screen; note where it is, in the same frame.
    const scroller = page.getByRole("region", { name: "Messages" });
    const before = await scroller.evaluate((element, text) => {
      element.scrollTop = 0;
      const item = [...element.querySelectorAll(".message")].find((m) => m.textContent?.includes(text));
      return item?.getBoundingClientRect().top;
    }, `${oldest}`);
    expect(before).toBeDefined();
    await messageWith(page, "Message number 16").waitFor({ state: "attached", ...LIVE });
    await page.locator(".older[role=status]").waitFor({ state: "detached", ...LIVE });
    expect(Math.abs((await topOf(page, oldest)) - (before ?? 0))).toBeLessThanOrEqual(2);
    expect(await scroller.evaluate((element) => element.scrollTop)).toBeGreaterThan(0);

    // Further up, to the very start.
    await scroller.evaluate((element) => (element.scrollTop = 0));
    await messageWith(page, "Message number 1").waitFor({ state: "attached", ...LIVE });
    await scroller.evaluate((element) => (element.scrollTop = 0));
    await page.getByText("This is the start of the conversation.").waitFor(LIVE);
    // One author's run of messages is one group: one name, the rest continue it.
    await expect(page.locator(".chat-view .message.continued").count()).resolves.toBeGreaterThan(70);
    await page.locator(".date-separator", { hasText: "Today" }).waitFor(LIVE);

    // Away from the end, "Jump to latest" brings it back.
    await page.getByRole("button", { name: "Jump to latest ↓" }).click();
    await expect(topOf(page, "Message number 75")).resolves.toBeLessThan(760);
    await expect(page.getByRole("button", { name: "Jump to latest ↓" }).count()).resolves.toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("counts unread messages live, marks the chat read when it is opened, with a new-messages divider", async () => {
    const { alice, bob } = agents();
    const aliceApi = await apiAs(alice);
    const bobApi = await apiAs(bob);
    const quiet = await bobApi.post("/service_agents/talk_chats", { type: "group", name: "Quiet corner" });
    const busy = await aliceApi.post("/service_agents/talk_chats", {
      type: "group",
      name: "Busy room",
      participants: [{ owner_type: "agent", owner_id: bob.id }],
    });
    await aliceApi.post("/service_agents/talk_messages", {
      chat_id: busy.body.id,
      type: "normal",
      text: "Already read before",
    });
    await bobApi.post(`/service_agents/talk_chats/${busy.body.id}/read`, {});

    const page = await signIn(bob);
    await chatButton(page, "Quiet corner").click();
    await page.getByRole("heading", { name: "Quiet corner" }).waitFor(LIVE);
    expect(quiet.status).toBeLessThan(300);
    for (const text of ["First new one", "Second new one", `Third, for <@${bob.id}>`])
      await aliceApi.post("/service_agents/talk_messages", { chat_id: busy.body.id, type: "normal", text });
    const busyButton = chatButton(page, "Busy room");
    await busyButton.getByLabel("3 unread").waitFor(LIVE);
    await busyButton.getByLabel("1 mentioning you").waitFor(LIVE);
    await expect(busyButton.getAttribute("class")).resolves.toContain("has-unread"); // shown bold
    expect(await axeViolations(page)).toEqual([]);

    await busyButton.click();
    const divider = page.locator(".chat-view .new-messages");
    await divider.waitFor(LIVE);
    // The divider sits right before the first unread message.
    await expect(divider.evaluate((d) => d.nextElementSibling?.textContent ?? "")).resolves.toContain(
      "First new one",
    );
    await expect(busyButton.getByLabel(/unread/).count()).resolves.toBe(0);
    // The mention of Bob is a highlighted @name, not the raw id.
    await page.locator(".message.mentions-me .mention-me", { hasText: "@Bob Builder" }).waitFor(LIVE);
    // The server knows too: Bob's read mark moved to the newest message.
    await waitFor(
      async () => (await bobApi.get(`/service_agents/talk_chats/${busy.body.id}`)).body.unread_count === 0,
      {
        what: "Bob's unread count on the server to be 0",
      },
    );
    expect(await axeViolations(page)).toEqual([]);
  });

  it("renders Markdown, links and mentions, and shows HTML in a message as text that never runs", async () => {
    const { alice, bob } = agents();
    const api = await apiAs(alice);
    const chat = await api.post("/service_agents/talk_chats", {
      type: "group",
      name: "Formatting",
      participants: [{ owner_type: "agent", owner_id: bob.id }],
    });
    const hostile = [
      `<img src=x onerror="window.__pwned='img'"> and <script>window.__pwned='script'</script>`,
      `**bold** _italic_ ~~gone~~ \`code\` [docs](https://example.com/docs) [bad](javascript:window.__pwned='link') <@${bob.id}>`,
      "```\n<b>not bold</b>\n```",
    ];
    for (const text of hostile)
      await api.post("/service_agents/talk_messages", { chat_id: chat.body.id, type: "normal", text });

    const page = await signIn(bob);
    await chatButton(page, "Formatting").click();
    const texts = page.locator(".chat-view .message .text");
    await texts.nth(2).waitFor(LIVE);

    // The HTML is text on screen; no element came from it, and nothing ran.
    await expect(texts.nth(0).textContent()).resolves.toContain(`<img src=x onerror="window.__pwned='img'">`);
    await expect(texts.nth(0).textContent()).resolves.toContain("<script>");
    await expect(page.locator(".chat-view .message img, .chat-view .message script").count()).resolves.toBe(
      0,
    );
    await expect(page.evaluate("window.__pwned")).resolves.toBeUndefined();

    // Markdown became markup; only the safe link is a link.
    const formatted = texts.nth(1);
    await expect(formatted.locator("strong").textContent()).resolves.toBe("bold");
    await expect(formatted.locator("em").textContent()).resolves.toBe("italic");
    await expect(formatted.locator("del").textContent()).resolves.toBe("gone");
    await expect(formatted.locator("code").textContent()).resolves.toBe("code");
    await expect(formatted.getByRole("link").count()).resolves.toBe(1);
    await expect(formatted.getByRole("link", { name: "docs" }).getAttribute("href")).resolves.toBe(
      "https://example.com/docs",
    );
    await expect(formatted.getByRole("link", { name: "docs" }).getAttribute("rel")).resolves.toContain(
      "noopener",
    );
    await expect(formatted.textContent()).resolves.toContain("[bad](javascript:");
    await expect(formatted.locator(".mention-me").textContent()).resolves.toBe("@Bob Builder");
    await expect(texts.nth(2).locator("pre code").textContent()).resolves.toBe("<b>not bold</b>");
    await expect(texts.nth(2).locator("b").count()).resolves.toBe(0);

    // The same for what I type and send myself, mention and all.
    const composer = page.getByLabel("Message Formatting");
    await composer.fill(`@${alice.username} look: <img src=y onerror="window.__pwned='mine'"> *done*`);
    await composer.press("Enter");
    await page
      .locator(".chat-view .message:not(.pending) .mention", { hasText: "@Alice Admin" })
      .waitFor(LIVE);
    await expect(page.locator(".chat-view .message img").count()).resolves.toBe(0);
    await expect(page.evaluate("window.__pwned")).resolves.toBeUndefined();
    expect(await axeViolations(page)).toEqual([]);
  });

  it("works from the keyboard: Alt+↓/↑ switch chats, message actions on focus with a visible ring, Escape closes the thread", async () => {
    const { bob } = agents();
    const page = await signIn(bob);
    await chatButton(page, "Formatting").click();
    await page.getByRole("heading", { name: "Formatting" }).waitFor(LIVE);
    const order = await page.locator(".chat-list .chat-item .title").allTextContents();
    const next = order[order.indexOf("Formatting") + 1] ?? order[order.indexOf("Formatting") - 1];
    await page.keyboard.press(
      order.indexOf("Formatting") + 1 < order.length ? "Alt+ArrowDown" : "Alt+ArrowUp",
    );
    await page.getByRole("heading", { name: next }).waitFor(LIVE);
    await page.keyboard.press(
      order.indexOf("Formatting") + 1 < order.length ? "Alt+ArrowUp" : "Alt+ArrowDown",
    );
    await page.getByRole("heading", { name: "Formatting" }).waitFor(LIVE);

    // A message's actions are reachable by focus, shown while focused, with a visible focus ring.
    const message = page.locator(".chat-view .message").filter({ hasText: "not bold" });
    const react = message.getByRole("button", { name: "React 👍" });
    await react.focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Shift+Tab"); // keyboard focus (focus-visible), back on the button
    const style = await react.evaluate((button) => {
      const view = button.ownerDocument.defaultView;
      const actions = button.closest(".actions");
      return {
        opacity: actions && view ? view.getComputedStyle(actions).opacity : "",
        outline: view ? view.getComputedStyle(button).outlineStyle : "",
      };
    });
    expect(style).toEqual({ opacity: "1", outline: "solid" });
    await page.keyboard.press("Enter");
    await message.getByRole("button", { name: "👍 1" }).waitFor(LIVE);
    await message.getByRole("button", { name: "Reply" }).focus();
    await page.keyboard.press("Enter");
    const thread = page.getByRole("complementary", { name: "Thread" });
    await thread.waitFor(LIVE);
    await thread.getByLabel("Reply in thread").focus();
    await page.keyboard.type("Replied from the keyboard");
    await page.keyboard.press("Enter");
    await thread.getByText("Replied from the keyboard").waitFor(LIVE);
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press("Escape");
    await thread.waitFor({ state: "detached", ...LIVE });
  });
});
