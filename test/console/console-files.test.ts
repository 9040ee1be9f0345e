/**
 * Files in the web console, in headless Chromium, with two agents side by side: one attaches an
 * image (by the button) and a document (by drag-and-drop), sees each upload's progress, and sends
 * them; the other sees the image's preview and a download card for the document, and downloads
 * the same bytes; a file its uploader deletes shows as deleted. axe-core checks each state.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { crc32, deflateSync } from "node:zlib";
import { describeNeeding, waitFor } from "@talk/testkit";
import { LIVE, axeViolations, chatButton, useConsole } from "./browser";

const suite = describeNeeding(["chromium"]);
/** A 2×2 red PNG, made here (signature, IHDR, IDAT, IEND, each chunk with its CRC). */
const PNG = (() => {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0); // width
  header.writeUInt32BE(2, 4); // height
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = [0, 255, 0, 0, 255, 0, 0]; // filter byte, two red pixels
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.from([...row, ...row]))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
})();
const REPORT = "Shift report\nTickets closed: 42\n".repeat(2000); // 64,000 bytes, for some progress to show
const REPORT_SIZE = "62.5 KB";

suite("files in the web console (headless Chromium)", () => {
  const { signIn, agents, apiAs } = useConsole();

  it("attaches an image and a document with progress; the other agent sees the preview and downloads the same bytes", async () => {
    const { alice, bob } = agents();
    const api = await apiAs(alice);
    await api.post("/service_agents/talk_chats", {
      type: "group",
      name: "Shift handover",
      participants: [{ owner_type: "agent", owner_id: bob.id }],
    });
    const alicePage = await signIn(alice);
    const bobPage = await signIn(bob);
    await chatButton(alicePage, "Shift handover").click();
    await chatButton(bobPage, "Shift handover").click();
    await bobPage.getByRole("heading", { name: "Shift handover" }).waitFor(LIVE);

    // The image, by the attach button.
    await alicePage.getByLabel("Attach files").first().setInputFiles({
      name: "queue.png",
      mimeType: "image/png",
      buffer: PNG,
    });
    const attachments = alicePage.getByRole("list", { name: "Attachments" });
    await attachments.getByText("📎 queue.png").waitFor(LIVE);
    // The document, dropped onto the chat.
    await alicePage.evaluate(
      `(() => {
        const data = new DataTransfer();
        data.items.add(new File([${JSON.stringify(REPORT)}], "report.txt", { type: "text/plain" }));
        const view = document.querySelector(".chat-view");
        view.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
        view.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
      })()`,
    );
    await attachments.getByText("📎 report.txt").waitFor(LIVE);
    // Both uploaded: each shows its size instead of a progress bar, and Send is enabled.
    // (Both bars may still be there: a locator waiting for "detached" must match at most one.)
    await waitFor(async () => (await attachments.locator("progress").count()) === 0, {
      timeoutMs: LIVE.timeout,
      what: "both uploads to finish",
    });
    await attachments.getByText(REPORT_SIZE).waitFor(LIVE);
    await expect(attachments.locator(".failed").count()).resolves.toBe(0);
    expect(await axeViolations(alicePage)).toEqual([]);
    await alicePage.getByLabel("Message Shift handover").fill("Handover: the queue and my report");
    await alicePage.getByRole("button", { name: "Send" }).first().click();
    await expect(attachments.count()).resolves.toBe(0);

    // Bob: the image as a preview (loaded, 2×2), the document as a download card.
    const message = bobPage.locator(".chat-view .message", { hasText: "Handover: the queue and my report" });
    const image = message.getByRole("img", { name: "queue.png" });
    await image.waitFor(LIVE);
    await bobPage.waitForFunction(
      "document.querySelector('.image-preview img')?.naturalWidth === 2",
      undefined,
      LIVE,
    );
    const card = message.getByRole("link", { name: /report\.txt/ });
    await card.getByText(REPORT_SIZE).waitFor(LIVE);
    expect(await axeViolations(bobPage)).toEqual([]);
    const [download] = await Promise.all([bobPage.waitForEvent("download"), card.click()]);
    expect(download.suggestedFilename()).toBe("report.txt");
    const path = await download.path();
    const sha = (bytes: string | Buffer) => createHash("sha256").update(bytes).digest("hex");
    expect(sha(readFileSync(path))).toBe(sha(REPORT));

    // Alice deletes the document: Bob sees it as deleted, live.
    const messages = await api.get(
      "/service_agents/talk_messages?page_size=5&chat_id=" + (await chatIdOf(api, "Shift handover")),
    );
    const sent = (
      messages.body.result as { text: string; medias: { type: string; file_id: string; name?: string }[] }[]
    ).find((m) => m.text === "Handover: the queue and my report");
    const report = sent?.medias.find((m) => m.type === "file" && m.name === "report.txt");
    expect(report).toBeDefined();
    expect((await api.delete(`/files/${report?.file_id}`)).status).toBe(200);
    await message.getByText("(file deleted)").waitFor(LIVE);
    await expect(message.getByRole("img", { name: "queue.png" }).count()).resolves.toBe(1);
    expect(await axeViolations(bobPage)).toEqual([]);
  });
});

async function chatIdOf(api: Awaited<ReturnType<ReturnType<typeof useConsole>["apiAs"]>>, name: string) {
  const chats = await api.get("/service_agents/talk_chats?page_size=100");
  return (chats.body.result as { id: string; name: string }[]).find((chat) => chat.name === name)?.id;
}
