/**
 * The web console on every screen, in headless Chromium, measured by layout bounds: on a 390×844
 * phone the chat list and the chat are separate views with nothing wider than the screen and
 * messages wrapping as sentences (not a word per line); on a tablet the chat list folds away and
 * the thread lies over the chat; on a desktop the list, the chat and the thread sit side by side.
 * axe-core checks every state. `TALK_WRITE_SCREENSHOT=1` saves docs/console-{desktop,phone}.png.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { describeNeeding } from "@talk/testkit";
import {
  DESKTOP,
  LIVE,
  PHONE,
  ROOT,
  TABLET,
  axeViolations,
  chatButton,
  messageWith,
  pageWidth,
  useConsole,
} from "./browser";

const suite = describeNeeding(["chromium"]);
const LONG =
  "Could you check the refund for order 5521 before the customer calls back? They were promised an answer today, and https://example.com/orders/5521/refunds/history?tab=all has the whole story.";

const box = async (locator: Locator) => {
  const bounds = await locator.boundingBox();
  if (!bounds) throw new Error("not on screen");
  return bounds;
};

async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.TALK_WRITE_SCREENSHOT) return;
  mkdirSync(join(ROOT, "docs"), { recursive: true });
  await page.screenshot({ path: join(ROOT, `docs/${name}.png`) });
}

suite("the web console on a phone, a tablet and a desktop (headless Chromium)", () => {
  const { signIn, agents, apiAs } = useConsole();

  async function aConversation(): Promise<void> {
    const { alice, bob } = agents();
    const api = await apiAs(bob);
    const chat = await api.post("/service_agents/talk_chats", {
      type: "group",
      name: "Refunds",
      participants: [{ owner_type: "agent", owner_id: alice.id }],
    });
    const first = await api.post("/service_agents/talk_messages", {
      chat_id: chat.body.id,
      type: "normal",
      text: LONG,
    });
    await api.post("/service_agents/talk_messages", {
      chat_id: chat.body.id,
      type: "normal",
      text: "The customer's number is in the ticket.",
    });
    await api.post("/service_agents/talk_messages", {
      chat_id: chat.body.id,
      type: "normal",
      parent_id: first.body.id,
      text: "On it.",
    });
  }

  it("on a 390×844 phone: the list, then the chat, then the thread, each the full width", async () => {
    await aConversation();
    const { alice } = agents();
    const page = await signIn(alice, { viewport: PHONE });
    const list = page.getByRole("navigation", { name: "Chats" });
    expect((await box(list)).width).toBe(PHONE.width);
    await expect(page.locator("main.chat").isVisible()).resolves.toBe(false);
    expect(await pageWidth(page)).toEqual({ scrollWidth: PHONE.width, innerWidth: PHONE.width });
    expect(await axeViolations(page)).toEqual([]);

    await chatButton(page, "Refunds").click();
    const message = messageWith(page, LONG);
    await message.waitFor(LIVE);
    await expect(list.isVisible()).resolves.toBe(false);
    expect(await pageWidth(page)).toEqual({ scrollWidth: PHONE.width, innerWidth: PHONE.width });
    // The message wraps as text does: most of the width, a handful of lines, not a word per line.
    const text = await box(message.locator(".text"));
    expect(text.width).toBeGreaterThan(PHONE.width * 0.75);
    expect(text.x + text.width).toBeLessThanOrEqual(PHONE.width);
    expect(text.height).toBeLessThan(8 * 22); // 14 px text: at most about 8 lines
    // The composer is on screen, under the messages, and the reply link is not under it.
    const composer = await box(page.getByLabel("Message Refunds"));
    expect(composer.y + composer.height).toBeLessThanOrEqual(PHONE.height);
    const replies = await box(page.getByRole("button", { name: "1 reply" }));
    expect(replies.y + replies.height).toBeLessThanOrEqual(composer.y);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "console-phone");

    await page.getByRole("button", { name: "1 reply" }).click();
    const thread = page.getByRole("complementary", { name: "Thread" });
    await thread.getByText("On it.").waitFor(LIVE);
    expect((await box(thread)).width).toBe(PHONE.width);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Close thread" }).click();

    await page.getByRole("button", { name: "Back to chats" }).click();
    await list.waitFor(LIVE);
    await expect(page.locator("main.chat").isVisible()).resolves.toBe(false);
  });

  it("on a tablet: the chat list folds away, and the thread lies over the chat", async () => {
    const { alice } = agents();
    const page = await signIn(alice, { viewport: TABLET });
    await chatButton(page, "Refunds").click();
    await messageWith(page, LONG).waitFor(LIVE);
    const list = page.getByRole("navigation", { name: "Chats" });
    const chat = page.locator("main.chat");
    expect((await box(list)).x + (await box(list)).width).toBeLessThanOrEqual((await box(chat)).x);

    await page.getByRole("button", { name: "Show or hide the chat list" }).click();
    await expect(list.isVisible()).resolves.toBe(false);
    expect((await box(chat)).width).toBe(TABLET.width);
    await page.getByRole("button", { name: "1 reply" }).click();
    const thread = page.getByRole("complementary", { name: "Thread" });
    await thread.getByText("On it.").waitFor(LIVE);
    expect((await box(thread)).x + (await box(thread)).width).toBe(TABLET.width);
    expect((await box(chat)).width).toBe(TABLET.width); // the chat keeps its width under the thread
    expect(await pageWidth(page)).toEqual({ scrollWidth: TABLET.width, innerWidth: TABLET.width });
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press("Escape"); // closes the thread
    await thread.waitFor({ state: "detached", ...LIVE });
    await page.getByRole("button", { name: "Show or hide the chat list" }).click();
    await list.waitFor(LIVE);
  });

  it("on a desktop: chats, chat and thread side by side", async () => {
    const { alice } = agents();
    const page = await signIn(alice, { viewport: DESKTOP });
    await chatButton(page, "Refunds").click();
    await messageWith(page, LONG).waitFor(LIVE);
    await page.getByRole("button", { name: "1 reply" }).click();
    const thread = page.getByRole("complementary", { name: "Thread" });
    await thread.getByText("On it.").waitFor(LIVE);
    const [list, chat, side] = await Promise.all([
      box(page.getByRole("navigation", { name: "Chats" })),
      box(page.locator("main.chat")),
      box(thread),
    ]);
    expect(list.x + list.width).toBeLessThanOrEqual(chat.x);
    expect(chat.x + chat.width).toBeLessThanOrEqual(side.x);
    expect(side.x + side.width).toBe(DESKTOP.width);
    expect(await pageWidth(page)).toEqual({ scrollWidth: DESKTOP.width, innerWidth: DESKTOP.width });
    await expect(page.getByRole("button", { name: "Back to chats" }).isVisible()).resolves.toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "console-desktop");
  });
});
