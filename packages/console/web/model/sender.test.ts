import type { Message, TalkClient } from "@talk/client";
import { Drafts } from "./drafts";
import { memoryStorage } from "./storage";
import { Outbox } from "./outbox";
import { Sender } from "./sender";

describe("a message whose event arrives before its POST's answer", () => {
  it("is shown once: its pending row goes when the event comes, and the answer finds nothing left", async () => {
    let answer!: (message: Message) => void;
    const client = {
      messages: { send: () => new Promise<Message>((resolve) => (answer = resolve)) },
    } as unknown as TalkClient;
    const storage = memoryStorage();
    const outbox = new Outbox(storage, "alice");
    const delivered: Message[] = [];
    const sender = new Sender(client, outbox, new Drafts(storage, "alice"), {
      delivered: (message) => void delivered.push(message),
      refused: () => undefined,
      changed: () => undefined,
    });
    const sent = sender.send("c1", "hello", "p1", [], true);
    await Promise.resolve();
    const message = { id: "m1", chat_id: "c1", parent_id: "p1", text: "hello" } as Message;
    sender.settle({ ...message, parent_id: undefined } as unknown as Message); // another thread's
    sender.settle({ ...message, text: "hello!" }); // another text
    expect(outbox.inChat("c1", "p1")).toHaveLength(1);
    sender.settle(message);
    expect(outbox.all()).toEqual([]);
    answer(message);
    await sent;
    expect(delivered).toEqual([message]);
    expect(outbox.all()).toEqual([]);
  });
});
