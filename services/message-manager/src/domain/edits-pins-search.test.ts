import { NOT_DELETED, type Message } from "@talk/contracts";
import { assertEditable, editOf, editedMessage, replacedVersion } from "./edits";
import { MAX_PINS_PER_CHAT, decidePin, pinnedMessage, unpinnedMessage } from "./pins";
import { MATCH_START, MATCH_STOP, decodeCursor, encodeCursor, snippetHtml } from "./search";

const me = {
  customer_id: "c0a80101-0000-4000-8000-000000000001",
  agent_id: "c0a80101-0000-4000-8000-000000000002",
};
const message = (overrides: Partial<Message> = {}): Message => ({
  id: "c0a80101-0000-4000-8000-000000000003",
  customer_id: me.customer_id,
  owner_type: "agent",
  owner_id: me.agent_id,
  chat_id: "c0a80101-0000-4000-8000-000000000004",
  type: "normal",
  text: "Teh plan",
  medias: [],
  metadata: { reactions: [] },
  tm_create: "2024-01-17 10:32:00.000000",
  tm_update: "2024-01-17 10:32:00.000000",
  tm_delete: NOT_DELETED,
  tm_edit: NOT_DELETED,
  pinned_by: "",
  tm_pin: NOT_DELETED,
  mentions: [],
  ...overrides,
});
const reasonOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { reason: string }).reason;
  }
  return "none";
};

describe("edits", () => {
  it("only the author edits, never a system or deleted message", () => {
    expect(reasonOf(() => assertEditable(message(), me))).toBe("none");
    expect(reasonOf(() => assertEditable(message({ owner_id: "someone else" }), me))).toBe("NOT_THE_AUTHOR");
    expect(
      reasonOf(() => assertEditable(message({ owner_type: "system", type: "system", owner_id: "" }), me)),
    ).toBe("SYSTEM_MESSAGE_IMMUTABLE");
    expect(reasonOf(() => assertEditable(message({ tm_delete: "2024-01-18 00:00:00.000000" }), me))).toBe(
      "MESSAGE_DELETED",
    );
  });

  it("an edit replaces what it names, keeps the rest, and must leave text or a media", () => {
    expect(editOf(message(), { text: "The plan" })).toEqual({ text: "The plan", medias: [] });
    const link = { type: "link" as const, link: "https://example.com" };
    expect(editOf(message(), { medias: [link] })).toEqual({ text: "Teh plan", medias: [link] });
    expect(editOf(message(), { text: "Teh plan" })).toBeUndefined();
    expect(reasonOf(() => editOf(message(), { text: "  " }))).toBe("EMPTY_MESSAGE");
    expect(editOf(message({ medias: [link] }), { text: "" })).toEqual({ text: "", medias: [link] });
  });

  it("the replaced version runs from the message's creation or its last edit until the edit", () => {
    const tm = "2024-01-17 11:00:00.000000";
    expect(replacedVersion(message(), tm)).toMatchObject({
      tm_create: "2024-01-17 10:32:00.000000",
      tm_replace: tm,
    });
    const edited = editedMessage(message(), { text: "The plan", medias: [] }, tm);
    expect(edited).toMatchObject({ text: "The plan", tm_edit: tm, tm_update: tm });
    expect(replacedVersion(edited, "2024-01-17 12:00:00.000000")).toMatchObject({
      text: "The plan",
      tm_create: tm,
    });
  });
});

describe("pins", () => {
  it("pins a message below the chat's bound; a pinned one is unchanged; the bound is a 409", () => {
    expect(decidePin(message(), 0)).toEqual({ pin: true });
    expect(decidePin(message(), MAX_PINS_PER_CHAT - 1)).toEqual({ pin: true });
    expect(reasonOf(() => decidePin(message(), MAX_PINS_PER_CHAT))).toBe("TOO_MANY_PINS");
    const pinned = pinnedMessage(message(), me.agent_id, "2024-01-17 11:00:00.000000");
    expect(decidePin(pinned, MAX_PINS_PER_CHAT)).toEqual({ unchanged: true });
    expect(unpinnedMessage(pinned)).toEqual(message());
    expect(reasonOf(() => decidePin(message({ tm_delete: "2024-01-18 00:00:00.000000" }), 0))).toBe(
      "MESSAGE_DELETED",
    );
    expect(MAX_PINS_PER_CHAT).toBe(100);
  });
});

describe("search", () => {
  it("page tokens round-trip per order and refuse anything else", () => {
    const cursor = { tm_create: "2024-01-17 10:32:00.000000", id: message().id };
    expect(decodeCursor("newest", encodeCursor("newest", cursor))).toEqual(cursor);
    const ranked = { ...cursor, rank: 0.0607927 };
    expect(decodeCursor("relevance", encodeCursor("relevance", ranked))).toEqual(ranked);
    expect(reasonOf(() => decodeCursor("relevance", encodeCursor("newest", cursor)))).toBe(
      "INVALID_PAGE_TOKEN",
    );
    expect(reasonOf(() => decodeCursor("newest", "2024-01-17|x"))).toBe("INVALID_PAGE_TOKEN");
  });

  it("the snippet is HTML: the text escaped, the matches marked", () => {
    expect(snippetHtml(`a <b>&</b> ${MATCH_START}plan${MATCH_STOP} "x"`)).toBe(
      "a &lt;b&gt;&amp;&lt;/b&gt; <mark>plan</mark> &quot;x&quot;",
    );
  });
});
