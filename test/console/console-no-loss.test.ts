/**
 * Nothing typed is lost in the web console, in headless Chromium, with two agents side by side:
 * drafts survive switching chats and reloading; an agent removed from the chat (or whose chat is
 * deleted) while writing is told so and keeps the draft; a message sent while offline waits,
 * shown as pending under a clear banner, and is delivered once when the connection returns.
 * And the chat management that causes those: rename, add, remove, leave, delete.
 */
import { describeNeeding, waitFor } from "@talk/testkit";
import { LIVE, axeViolations, chatButton, messageWith, useConsole } from "./browser";

const suite = describeNeeding(["chromium"]);

suite("nothing lost in the web console (headless Chromium)", () => {
  const { signIn, agents, apiAs } = useConsole();

  it("keeps drafts per chat across switching and reloading", async () => {
    const { bob } = agents();
    const api = await apiAs(bob);
    await api.post("/service_agents/talk_chats", { type: "group", name: "Drafts one" });
    await api.post("/service_agents/talk_chats", { type: "group", name: "Drafts two" });
    const page = await signIn(bob);

    await chatButton(page, "Drafts one").click();
    await page.getByLabel("Message Drafts one").fill("Half a thought for one");
    await chatButton(page, "Drafts two").click();
    await page.getByLabel("Message Drafts two").fill("Something for two");
    await chatButton(page, "Drafts one").click();
    await expect(page.getByLabel("Message Drafts one").inputValue()).resolves.toBe("Half a thought for one");

    await page.reload();
    await page.locator(".status-live").waitFor(LIVE);
    await chatButton(page, "Drafts two").click();
    await expect(page.getByLabel("Message Drafts two").inputValue()).resolves.toBe("Something for two");
  });

  it("tells an agent removed from the chat while writing, and keeps the draft; then the chat is renamed and deleted", async () => {
    const { alice, bob, carol } = agents();
    const alicePage = await signIn(alice);
    const bobPage = await signIn(bob);

    // Alice creates a group with Bob, then renames it and adds Carol from its details.
    await alicePage.getByRole("button", { name: "New chat" }).click();
    await alicePage.getByLabel("Name").fill("Escalations");
    await alicePage.getByRole("checkbox", { name: bob.name }).check();
    await alicePage.getByRole("button", { name: "Create" }).click();
    await alicePage.getByRole("heading", { name: "Escalations" }).waitFor(LIVE);
    await alicePage.getByRole("button", { name: "Details" }).click();
    const details = alicePage.getByRole("region", { name: /Details of/ });
    await details.getByLabel("Name").fill("Escalations desk");
    await details.getByRole("button", { name: "Rename" }).click();
    await alicePage.getByRole("heading", { name: "Escalations desk" }).waitFor(LIVE);
    await details.getByLabel("Agent to add").selectOption({ label: carol.name });
    await details.getByRole("button", { name: "Add" }).click();
    await details.getByRole("list", { name: "Members" }).getByText(carol.name).waitFor(LIVE);
    expect(await axeViolations(alicePage)).toEqual([]);

    // Bob sees the new name live, opens it and starts writing.
    await chatButton(bobPage, "Escalations desk").click();
    await bobPage.getByRole("heading", { name: "Escalations desk" }).waitFor(LIVE);
    const draft = "I think the customer should get a full refund because";
    await bobPage.getByLabel("Message Escalations desk").fill(draft);

    // Alice removes Bob: Bob is told, the chat leaves his list, his draft stays in the box.
    await details.getByRole("button", { name: `Remove ${bob.name}` }).click();
    await bobPage
      .getByRole("alert")
      .getByText("You were removed from this chat.", { exact: false })
      .waitFor(LIVE);
    await expect(bobPage.getByLabel("Message Escalations desk").inputValue()).resolves.toBe(draft);
    await expect(chatButton(bobPage, "Escalations desk").count()).resolves.toBe(0);
    expect(await axeViolations(bobPage)).toEqual([]);

    // Carol has it open when Alice deletes it: Carol is told, and keeps her draft.
    const carolPage = await signIn(carol);
    await chatButton(carolPage, "Escalations desk").click();
    await carolPage.getByLabel("Message Escalations desk").fill("Before it goes");
    await details.getByRole("button", { name: "Delete chat" }).click();
    await details.getByRole("button", { name: "Yes, delete" }).click();
    await carolPage.getByRole("alert").getByText("This chat was deleted.", { exact: false }).waitFor(LIVE);
    await expect(carolPage.getByLabel("Message Escalations desk").inputValue()).resolves.toBe(
      "Before it goes",
    );
    await expect(chatButton(alicePage, "Escalations desk").count()).resolves.toBe(0);
    await carolPage.context().close();
  });

  it("queues a message sent offline, shows it pending under a banner, and delivers it once when back", async () => {
    const { alice, bob } = agents();
    const api = await apiAs(alice);
    const chat = await api.post("/service_agents/talk_chats", {
      type: "group",
      name: "Night shift",
      participants: [{ owner_type: "agent", owner_id: bob.id }],
    });
    const alicePage = await signIn(alice);
    const bobPage = await signIn(bob);
    await chatButton(alicePage, "Night shift").click();
    await chatButton(bobPage, "Night shift").click();
    await bobPage.getByRole("heading", { name: "Night shift" }).waitFor(LIVE);

    await bobPage.context().setOffline(true);
    await bobPage.getByRole("status").getByText("You are offline.", { exact: false }).waitFor(LIVE);
    const composer = bobPage.getByLabel("Message Night shift");
    await composer.fill("Sent from the train, without a network");
    await composer.press("Enter");
    const pending = bobPage.locator(".chat-view .message.pending", { hasText: "Sent from the train" });
    await pending.getByText("Waiting for the connection…").waitFor(LIVE);
    await bobPage.getByText("1 message waits", { exact: false }).waitFor(LIVE);
    expect(await axeViolations(bobPage)).toEqual([]);

    // Back online: it goes out, once.
    await bobPage.context().setOffline(false);
    await messageWith(alicePage, "Sent from the train, without a network").waitFor(LIVE);
    await pending.waitFor({ state: "detached", ...LIVE });
    await messageWith(bobPage, "Sent from the train, without a network").waitFor(LIVE);
    await expect(bobPage.locator(".banner.connection").count()).resolves.toBe(0);

    // Delivered once: one message with that text in the chat's history.
    const texts = await waitFor(async () => {
      const page = await api.get(`/service_agents/talk_messages?chat_id=${chat.body.id}&page_size=50`);
      return page.status === 200 && (page.body.result as { text: string }[]).map((m) => m.text);
    });
    expect(texts.filter((text) => text === "Sent from the train, without a network")).toHaveLength(1);
    await expect(messageWith(alicePage, "Sent from the train, without a network").count()).resolves.toBe(1);
  });

  it("lets an agent leave a chat", async () => {
    const { bob } = agents();
    const api = await apiAs(bob);
    await api.post("/service_agents/talk_chats", { type: "group", name: "Short-lived" });
    const page = await signIn(bob);
    await chatButton(page, "Short-lived").click();
    await page.getByRole("button", { name: "Details" }).click();
    await page.getByRole("button", { name: "Leave chat" }).click();
    await chatButton(page, "Short-lived").waitFor({ state: "detached", ...LIVE });
    await page.getByRole("heading", { name: "Talk" }).waitFor(LIVE);
  });
});
