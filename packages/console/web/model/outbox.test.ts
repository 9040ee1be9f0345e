import { Drafts } from "./drafts";
import { browserStorage, memoryStorage } from "./storage";
import { Outbox } from "./outbox";

describe("messages waiting to be sent", () => {
  it("survive a reload (a new outbox on the same storage), in order, per agent", () => {
    const storage = memoryStorage();
    const outbox = new Outbox(storage, "alice");
    outbox.add({ key: "k1", chatId: "c1", text: "first", at: "2026-12-02T00:00:00Z" });
    outbox.add({ key: "k2", chatId: "c1", parentId: "p", text: "reply", at: "2026-12-02T00:00:01Z" });
    const reloaded = new Outbox(storage, "alice");
    expect(reloaded.all().map((item) => item.key)).toEqual(["k1", "k2"]);
    expect(reloaded.inChat("c1").map((item) => item.text)).toEqual(["first"]);
    expect(reloaded.inChat("c1", "p").map((item) => item.text)).toEqual(["reply"]);
    expect(new Outbox(storage, "bob").all()).toEqual([]);
    reloaded.remove("k1");
    expect(new Outbox(storage, "alice").all().map((item) => item.key)).toEqual(["k2"]);
  });

  it("ignore what is not an outbox in storage", () => {
    const storage = memoryStorage();
    storage.setItem("talk.outbox.alice", '[{"key":1},"x",{"key":"k","chatId":"c","text":"t","at":"a"}]');
    expect(new Outbox(storage, "alice").all().map((item) => item.key)).toEqual(["k"]);
    storage.setItem("talk.outbox.alice", "not json");
    expect(new Outbox(storage, "alice").all()).toEqual([]);
  });
});

describe("drafts", () => {
  it("are kept per agent, chat and thread, and an empty draft is removed", () => {
    const storage = memoryStorage();
    const drafts = new Drafts(storage, "alice");
    drafts.set("c1", "half a thought");
    drafts.set("c1", "a reply", "p1");
    expect(new Drafts(storage, "alice").get("c1")).toBe("half a thought");
    expect(new Drafts(storage, "alice").get("c1", "p1")).toBe("a reply");
    expect(new Drafts(storage, "bob").get("c1")).toBe("");
    drafts.set("c1", "");
    expect(storage.getItem("talk.draft.alice.c1")).toBeNull();
  });
});

describe("the console's storage", () => {
  it("is memory where the browser refuses localStorage, so drafts and the outbox still work", () => {
    const refused = Object.getOwnPropertyDescriptor(globalThis, "localStorage");
    Object.defineProperty(globalThis, "localStorage", {
      configurable: true,
      get() {
        throw new DOMException("The operation is insecure.", "SecurityError");
      },
    });
    try {
      const storage = browserStorage();
      const drafts = new Drafts(storage, "alice");
      drafts.set("c1", "hello");
      expect(drafts.get("c1")).toBe("hello");
    } finally {
      if (refused) Object.defineProperty(globalThis, "localStorage", refused);
      else delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });
});
