/**
 * The file API (issue 14): uploads streamed to file-manager, downloads with ranges, who may read a
 * file, the size limit, deletes, and memory that stays flat for a 100 MB file. Run on every stack.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import { digestStream, patternStream, sha256 } from "../support/bytes";
import {
  TEST_FILE_MAX_BYTES,
  type TestAgent,
  type TestStack,
  newCustomer,
  residentBytes,
} from "../support/stacks";
import { waitFor } from "@talk/testkit";

const chats = "/service_agents/talk_chats";
const messages = "/service_agents/talk_messages";
const NOT_DELETED = "9999-01-01 00:00:00.000000";
const MB = 1024 * 1024;
const execFileAsync = promisify(execFile);

/** A transfer by a client process of its own (test/support/file-transfer.mjs): its memory is not the stack's. */
async function transfer(args: string[]): Promise<any> {
  const script = join(__dirname, "../support/file-transfer.mjs");
  const { stdout } = await execFileAsync(process.execPath, [script, ...args], { maxBuffer: 1024 * 1024 });
  return JSON.parse(stdout);
}

/** Uploads raw bytes (Content-Type and ?name=). */
async function uploadRaw(
  stack: TestStack,
  agent: TestAgent,
  body: string | Uint8Array | ReadableStream<Uint8Array>,
  name: string,
  contentType = "application/octet-stream",
) {
  const res = await fetch(`${stack.api.baseUrl}/v1.0/files?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { authorization: `Bearer ${agent.token}`, "content-type": contentType },
    body,
    duplex: "half",
  } as RequestInit);
  return { status: res.status, body: (await res.json()) as any };
}

async function uploadForm(stack: TestStack, agent: TestAgent, data: Uint8Array, name: string, type: string) {
  const form = new FormData();
  form.append("note", "ignored");
  form.append("file", new Blob([data], { type }), name);
  const res = await fetch(`${stack.api.baseUrl}/v1.0/files`, {
    method: "POST",
    headers: { authorization: `Bearer ${agent.token}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as any };
}

const download = (stack: TestStack, agent: TestAgent, id: string, headers: Record<string, string> = {}) =>
  fetch(`${stack.api.baseUrl}/v1.0/files/${id}/content`, {
    headers: { authorization: `Bearer ${agent.token}`, ...headers },
  });

export function describeFileApi(name: string, current: () => TestStack): void {
  describe(`file API (${name})`, () => {
    let stack: TestStack;
    let alice: TestAgent, bob: TestAgent, carol: TestAgent, mallory: TestAgent;
    let customerId: string;
    let chatId: string;

    beforeEach(async () => {
      stack = current();
      const customer = await newCustomer(stack, 3);
      customerId = customer.customerId;
      [alice, bob, carol] = customer.agents;
      [mallory] = (await newCustomer(stack, 1)).agents;
      const chat = await alice.api.post(chats, {
        type: "group",
        name: "Design review",
        participants: [{ owner_type: "agent", owner_id: bob.id }],
      });
      chatId = chat.body.id;
    });

    it("stores an upload and answers its metadata in the documented shape", async () => {
      const text = "Quarterly numbers, version 3.\n";
      const up = await uploadRaw(stack, alice, text, "numbers.txt", "text/plain");
      expect(up.status).toBe(200);
      expect(up.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        customer_id: customerId,
        owner_id: alice.id,
        name: "numbers.txt",
        content_type: "text/plain",
        size: Buffer.byteLength(text),
        sha256: sha256(text),
        tm_create: expect.stringMatching(/^\d{4}-\d{2}-\d{2} /),
        tm_delete: NOT_DELETED,
      });
      expect((await alice.api.get(`/files/${up.body.id}`)).body).toEqual(up.body);
      const res = await download(stack, alice, up.body.id);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(text);
    });

    it("lets a participant of a chat where a message references the file download the same bytes, and a range of them", async () => {
      const image = Buffer.alloc(700_000);
      for (let i = 0; i < image.length; i++) image[i] = (i * 7 + (i >> 9)) % 256;
      const up = await uploadForm(stack, alice, image, "sketch.png", "image/png");
      expect(up.status).toBe(200);
      expect(up.body).toMatchObject({ name: "sketch.png", content_type: "image/png", size: image.length });
      expect((await download(stack, bob, up.body.id)).status).toBe(404);

      const sent = await alice.api.post(messages, {
        chat_id: chatId,
        type: "normal",
        text: "the sketch",
        medias: [{ type: "file", file_id: up.body.id }],
      });
      expect(sent.status).toBe(200);

      const whole = await download(stack, bob, up.body.id);
      expect(whole.status).toBe(200);
      expect(whole.headers.get("content-type")).toBe("image/png");
      expect(whole.headers.get("content-length")).toBe(String(image.length));
      expect(whole.headers.get("etag")).toBe(`"${sha256(image)}"`);
      expect(whole.headers.get("content-disposition")).toContain('filename="sketch.png"');
      expect(await digestStream(whole.body)).toEqual({ sha256: sha256(image), size: image.length });

      // A range across a chunk boundary (256 KiB) returns exactly that slice.
      const part = await download(stack, bob, up.body.id, { range: "bytes=262000-262300" });
      expect(part.status).toBe(206);
      expect(part.headers.get("content-range")).toBe(`bytes 262000-262300/${image.length}`);
      expect(Buffer.from(await part.arrayBuffer())).toEqual(image.subarray(262000, 262301));
      const tail = await download(stack, bob, up.body.id, { range: "bytes=-10" });
      expect(Buffer.from(await tail.arrayBuffer())).toEqual(image.subarray(image.length - 10));
      const outside = await download(stack, bob, up.body.id, { range: `bytes=${image.length}-` });
      expect(outside.status).toBe(416);

      const unchanged = await download(stack, bob, up.body.id, { "if-none-match": `"${sha256(image)}"` });
      expect(unchanged.status).toBe(304);
    });

    it("answers 404 to an agent in no chat with the file, and to another customer", async () => {
      const up = await uploadRaw(stack, alice, "private", "private.txt", "text/plain");
      await alice.api.post(messages, {
        chat_id: chatId,
        type: "normal",
        medias: [{ type: "file", file_id: up.body.id }],
      });
      for (const outsider of [carol, mallory]) {
        expect((await download(stack, outsider, up.body.id)).status).toBe(404);
        const meta = await outsider.api.get(`/files/${up.body.id}`);
        expect(meta.status).toBe(404);
        expect(meta.body.error.reason).toBe("FILE_NOT_FOUND");
      }
      expect((await download(stack, bob, randomUUID())).status).toBe(404);
    });

    it("stops the participants' access once the referencing message is deleted", async () => {
      const up = await uploadRaw(stack, alice, "draft", "draft.txt", "text/plain");
      const sent = await alice.api.post(messages, {
        chat_id: chatId,
        type: "normal",
        medias: [{ type: "file", file_id: up.body.id }],
      });
      expect((await download(stack, bob, up.body.id)).status).toBe(200);
      await alice.api.delete(`${messages}/${sent.body.id}`);
      expect((await download(stack, bob, up.body.id)).status).toBe(404);
      expect((await download(stack, alice, up.body.id)).status).toBe(200);
    });

    it("refuses an upload over the limit with 413 and keeps nothing of it", async () => {
      const before = await stack.storedFiles();
      const declared = await uploadRaw(stack, alice, Buffer.alloc(TEST_FILE_MAX_BYTES + 1), "big.bin");
      expect(declared.status).toBe(413);
      expect(declared.body.error.reason).toBe("FILE_TOO_LARGE");
      // Streamed without a length: refused at the first byte past the limit.
      const streamed = await uploadRaw(stack, alice, patternStream(TEST_FILE_MAX_BYTES + 1), "big.bin");
      expect(streamed.status).toBe(413);
      expect(await stack.storedFiles()).toEqual(before);
    });

    it("refuses an upload without a name", async () => {
      const res = await uploadRaw(stack, alice, "x", "");
      expect(res.status).toBe(400);
      expect(res.body.error.reason).toBe("FILE_NAME_MISSING");
    });

    it("lets only the uploader delete a file; it stays listed as deleted and its bytes are gone", async () => {
      const up = await uploadRaw(stack, alice, "to be removed", "old.txt", "text/plain");
      await alice.api.post(messages, {
        chat_id: chatId,
        type: "normal",
        medias: [{ type: "file", file_id: up.body.id }],
      });
      const refused = await bob.api.delete(`/files/${up.body.id}`);
      expect(refused.status).toBe(403);
      expect((await mallory.api.delete(`/files/${up.body.id}`)).status).toBe(404);
      const deleted = await alice.api.delete(`/files/${up.body.id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body.tm_delete).not.toBe(NOT_DELETED);
      expect((await bob.api.get(`/files/${up.body.id}`)).body.tm_delete).toBe(deleted.body.tm_delete);
      const gone = await download(stack, alice, up.body.id);
      expect(gone.status).toBe(404);
      expect(((await gone.json()) as any).error.reason).toBe("FILE_DELETED");
    });

    it("fills a file media's name, content type and size from the file, whatever the client sent", async () => {
      const text = "minutes of the meeting\n";
      const up = await uploadRaw(stack, alice, text, "minutes.txt", "text/plain");
      const sent = await alice.api.post(messages, {
        chat_id: chatId,
        type: "normal",
        medias: [
          { type: "link", link: "https://example.com/agenda" },
          {
            type: "file",
            file_id: up.body.id,
            name: "invoice.exe",
            content_type: "application/x-msdownload",
            size: 1,
          },
        ],
      });
      expect(sent.status).toBe(200);
      const media = {
        type: "file",
        file_id: up.body.id,
        name: "minutes.txt",
        content_type: "text/plain",
        size: Buffer.byteLength(text),
      };
      expect(sent.body.medias).toEqual([{ type: "link", link: "https://example.com/agenda" }, media]);
      expect((await bob.api.get(`${messages}/${sent.body.id}`)).body.medias[1]).toEqual(media);
    });

    it("refuses a message whose file is another customer's, unknown, deleted or still uploading, naming the media", async () => {
      const count = async () =>
        (await alice.api.get(`${messages}?chat_id=${chatId}`)).body.result.length as number;
      const before = await count();
      const sendWith = (fileId: string) =>
        alice.api.post(messages, {
          chat_id: chatId,
          type: "normal",
          text: "see attached",
          medias: [
            { type: "link", link: "https://example.com/" },
            { type: "file", file_id: fileId },
          ],
        });
      const refusal = (res: { status: number; body: any }) => ({
        status: res.status,
        reason: res.body.error?.reason,
        names: /medias\[1\]/.test(res.body.error?.message ?? ""),
      });

      const foreign = await uploadRaw(stack, mallory, "not yours", "theirs.txt", "text/plain");
      expect(refusal(await sendWith(foreign.body.id))).toEqual({
        status: 400,
        reason: "MEDIA_FILE_NOT_FOUND",
        names: true,
      });
      expect(refusal(await sendWith(randomUUID()))).toEqual({
        status: 400,
        reason: "MEDIA_FILE_NOT_FOUND",
        names: true,
      });
      const removed = await uploadRaw(stack, alice, "gone soon", "gone.txt", "text/plain");
      expect((await alice.api.delete(`/files/${removed.body.id}`)).status).toBe(200);
      expect(refusal(await sendWith(removed.body.id))).toEqual({
        status: 400,
        reason: "MEDIA_FILE_DELETED",
        names: true,
      });

      // An upload held open: file-manager has its row, but the upload has not finished.
      const uploadingBefore = new Set(await stack.uploadingFiles());
      let finish!: () => void;
      const held = new Promise<void>((resolve) => (finish = resolve));
      let first = true;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (first) {
            first = false;
            return controller.enqueue(Buffer.from("the first half, "));
          }
          await held;
          controller.enqueue(Buffer.from("and the second."));
          controller.close();
        },
      });
      const upload = uploadRaw(stack, alice, body, "slow.txt", "text/plain");
      const pending = await waitFor(
        async () => (await stack.uploadingFiles()).find((id) => !uploadingBefore.has(id)),
        { what: "the held upload to begin" },
      );
      expect(refusal(await sendWith(pending))).toEqual({
        status: 400,
        reason: "MEDIA_FILE_UPLOADING",
        names: true,
      });
      finish();
      const done = await upload;
      expect(done.body).toMatchObject({ id: pending, size: 31 });
      expect(await count()).toBe(before);
      expect((await sendWith(pending)).status).toBe(200);
      expect(await count()).toBe(before + 1);
    });

    it("keeps a deleted file's media in its messages, marked deleted, and refuses it in a new edit", async () => {
      const up = await uploadRaw(stack, alice, "the old plan", "plan.txt", "text/plain");
      const sent = await alice.api.post(messages, {
        chat_id: chatId,
        type: "normal",
        text: "the plan",
        medias: [{ type: "file", file_id: up.body.id }],
      });
      const other = await alice.api.post(messages, { chat_id: chatId, type: "normal", text: "no file" });
      expect((await alice.api.delete(`/files/${up.body.id}`)).status).toBe(200);
      const shown = (await bob.api.get(`${messages}/${sent.body.id}`)).body;
      expect(shown.medias).toEqual([
        {
          type: "file",
          file_id: up.body.id,
          name: "plan.txt",
          content_type: "text/plain",
          size: 12,
          deleted: true,
        },
      ]);
      expect(shown.tm_edit).toBe(NOT_DELETED);
      // Deleting again changes nothing more; an edit may keep the deleted media but not add it anew.
      expect((await alice.api.delete(`/files/${up.body.id}`)).status).toBe(200);
      expect((await bob.api.get(`${messages}/${sent.body.id}`)).body.medias).toEqual(shown.medias);
      const kept = await alice.api.put(`${messages}/${sent.body.id}`, {
        text: "the plan (old)",
        medias: shown.medias,
      });
      expect(kept.status).toBe(200);
      expect(kept.body.medias).toEqual(shown.medias);
      const added = await alice.api.put(`${messages}/${other.body.id}`, {
        medias: [{ type: "file", file_id: up.body.id }],
      });
      expect(added.status).toBe(400);
      expect(added.body.error.reason).toBe("MEDIA_FILE_DELETED");
    });

    // Distributed only: there each service is its own process; the embedded system shares its
    // process with the test runner, whose own allocations make that process's RSS a noisy measure.
    const distributedOnly = name === "distributed" ? it : it.skip;
    distributedOnly(
      "streams a 200 MB upload and download with no process's memory growing by half the file",
      async () => {
        // Streaming leaves a bounded amount of garbage the collector has not reached yet (30-54 MB
        // measured, whatever the size); holding the file grows a process by the file. 200 MB keeps
        // the two apart on a machine where a long test run leaves the heaps large.
        const size = 200 * MB;
        // First-use allocations (modules, pools, buffers) are not what this measures.
        await uploadRaw(stack, alice, patternStream(4 * MB), "warm-up.bin");
        const processes = stack.processes();
        const baseline = new Map(processes.map((p) => [p.pid, residentBytes(p.pid)]));
        const peak = new Map(baseline);
        const sample = () => {
          for (const p of processes) peak.set(p.pid, Math.max(peak.get(p.pid) ?? 0, residentBytes(p.pid)));
        };
        const sampler = setInterval(sample, 20);
        try {
          const expected = await digestStream(patternStream(size, 7));
          const base = `${stack.api.baseUrl}/v1.0/files`;
          const up = await transfer(["upload", `${base}?name=large.bin`, alice.token, String(size), "7"]);
          expect(up).toMatchObject({ status: 200, body: { size, sha256: expected.sha256 } });
          const down = await transfer(["download", `${base}/${up.body.id}/content`, alice.token]);
          expect(down).toEqual({ status: 200, ...expected });
        } finally {
          clearInterval(sampler);
        }
        sample();
        const growth = processes.map((p) => ({
          name: p.name,
          mb: Math.round(((peak.get(p.pid) ?? 0) - (baseline.get(p.pid) ?? 0)) / MB),
        }));
        for (const g of growth) expect(g).toEqual({ name: g.name, mb: expect.any(Number) });
        // Holding the file would grow a process by 200 MB; streaming grows it by its buffers and the
        // garbage the collector has not reached yet.
        expect(growth.filter((g) => g.mb >= size / MB / 2)).toEqual([]);
      },
      600_000,
    );

    if (name === "distributed")
      it("leaves no half file visible when file-manager is killed mid-upload", async () => {
        const before = await stack.storedFiles();
        const managers = stack.distributed!.byService("file-manager");
        let sent = 0;
        const slow = new ReadableStream<Uint8Array>({
          async pull(controller) {
            if (sent >= 50 * MB) return controller.close();
            sent += MB;
            controller.enqueue(Buffer.alloc(MB, 1));
            if (sent > 3 * MB) await new Promise((r) => setTimeout(r, 20));
          },
        });
        const upload = uploadRaw(stack, alice, slow, "interrupted.bin").catch((error: unknown) => ({
          status: 0,
          body: String(error),
        }));
        await waitFor(async () => (await stack.storedFiles()).chunks > before.chunks, {
          what: "the upload's first chunks to be stored",
        });
        await Promise.all(managers.map((m) => m.kill()));
        const outcome = await upload;
        expect(outcome.status === 0 || outcome.status >= 500).toBe(true);
        const after = await stack.storedFiles();
        expect(after.ready).toBe(before.ready);
        await Promise.all(managers.map((m) => m.start()));
        const next = await uploadRaw(stack, alice, "after the crash", "after.txt", "text/plain");
        expect(next.status).toBe(200);
      });
  });
}
