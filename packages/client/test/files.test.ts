/**
 * client.files against the embedded system: an upload with progress, another participant's
 * download of the same bytes and of a range, and the API's errors as TalkApiError.
 */
import { createHash } from "node:crypto";
import {
  newCustomer,
  startEmbeddedStack,
  type TestAgent,
  type TestStack,
  useStack,
} from "../../../test/support/stacks";
import { TalkApiError, TalkClient } from "../src/node";

const current = useStack(startEmbeddedStack);

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of stream as unknown as AsyncIterable<Uint8Array>) parts.push(part);
  return Buffer.concat(parts);
}

describe("the SDK's files (embedded)", () => {
  let stack: TestStack;
  let agents: TestAgent[];
  let alice: TalkClient, bob: TalkClient;

  beforeAll(async () => {
    stack = current();
    ({ agents } = await newCustomer(stack, 2));
    [alice, bob] = agents.map((agent) => new TalkClient({ baseUrl: stack.api.baseUrl, token: agent.token }));
  });

  it("uploads a Blob with progress, and a participant downloads the same bytes and a range", async () => {
    const data = Buffer.alloc(300_000, 7);
    data.write("hello", 1000);
    const progress: number[] = [];
    const file = await alice.files.upload(new Blob([data], { type: "image/png" }), {
      name: "pixel.png",
      onProgress: (sent) => progress.push(sent),
    });
    expect(file).toMatchObject({ name: "pixel.png", content_type: "image/png", size: data.length });
    expect(progress.at(-1)).toBe(data.length);
    const chat = await alice.chats.create({
      type: "group",
      name: "Files",
      participants: [{ owner_type: "agent", owner_id: agents[1].id }],
    });
    await alice.messages.send({
      chat_id: chat.id,
      type: "normal",
      medias: [{ type: "file", file_id: file.id }],
    });
    const whole = await bob.files.download(file.id);
    expect(whole.sha256).toBe(createHash("sha256").update(data).digest("hex"));
    expect(await readAll(whole.body)).toEqual(data);
    const part = await bob.files.download(file.id, { range: { start: 1000, end: 1004 } });
    expect((await readAll(part.body)).toString()).toBe("hello");
    expect(part.contentRange).toBe(`bytes 1000-1004/${data.length}`);
  });

  it("uploads an async iterable, and answers another agent's delete with a TalkApiError", async () => {
    async function* parts() {
      yield new TextEncoder().encode("part one, ");
      yield new TextEncoder().encode("part two");
    }
    const file = await alice.files.upload(parts(), { name: "notes.txt", contentType: "text/plain" });
    expect(file.size).toBe(18);
    const error = await bob.files.delete(file.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TalkApiError);
    expect((error as TalkApiError).reason).toBe("FILE_NOT_FOUND");
    expect((await alice.files.delete(file.id)).tm_delete).not.toBe("9999-01-01 00:00:00.000000");
  });
});
