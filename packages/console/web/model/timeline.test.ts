import type { Message } from "@talk/client";
import { dayLabel, firstUnreadId, timelineRows } from "./timeline";

const NOT = "9999-01-01 00:00:00.000000";
let n = 0;
function message(owner: string, at: string, extra: Partial<Message> = {}): Message {
  n++;
  return {
    id: `m${n}`,
    customer_id: "c",
    owner_type: "agent",
    owner_id: owner,
    chat_id: "chat",
    type: "normal",
    text: `text ${n}`,
    medias: [],
    metadata: { reactions: [] },
    tm_create: at,
    tm_update: at,
    tm_delete: NOT,
    ...extra,
  } as Message;
}

describe("the timeline of a chat", () => {
  const now = new Date("2026-12-02T12:00:00Z");

  it("puts a date separator where the day changes, and groups an author's consecutive messages", () => {
    const rows = timelineRows(
      [
        message("bob", "2026-11-30 09:00:00.000000"),
        message("bob", "2026-12-02 09:00:00.000000"),
        message("bob", "2026-12-02 09:01:00.000000"),
        message("alice", "2026-12-02 09:02:00.000000"),
        message("alice", "2026-12-02 09:30:00.000000"),
      ],
      undefined,
      now,
    );
    expect(
      rows.map((r) => (r.kind === "message" ? `${r.message.owner_id}${r.continued ? "+" : ""}` : r.kind)),
    ).toEqual(["date", "bob", "date", "bob", "bob+", "alice", "alice"]);
  });

  it("starts a new group after the new-messages divider, and never groups system or deleted messages", () => {
    const a = message("bob", "2026-12-02 09:00:00.000000");
    const b = message("bob", "2026-12-02 09:00:10.000000");
    const c = message("bob", "2026-12-02 09:00:20.000000", { tm_delete: "2026-12-02 09:05:00.000000" });
    const d = message("bob", "2026-12-02 09:00:30.000000");
    const rows = timelineRows([a, b, c, d], b.id, now);
    expect(rows.map((r) => (r.kind === "message" ? (r.continued ? "+" : "m") : r.kind))).toEqual([
      "date",
      "m",
      "new",
      "m",
      "m",
      "m",
    ]);
  });

  it("names today and yesterday, and other days by their date", () => {
    expect(dayLabel(new Date(2026, 11, 2, 8), new Date(2026, 11, 2, 20))).toBe("Today");
    expect(dayLabel(new Date(2026, 11, 1, 23), new Date(2026, 11, 2, 1))).toBe("Yesterday");
    expect(dayLabel(new Date(2026, 10, 20), new Date(2026, 11, 2))).toBe("Friday, November 20");
    expect(dayLabel(new Date(2025, 10, 20), new Date(2026, 11, 2))).toBe("Thursday, November 20, 2025");
  });
});

describe("where the new-messages divider goes", () => {
  const messages = [
    message("alice", "2026-12-02 09:00:00.000000"),
    message("bob", "2026-12-02 09:01:00.000000"),
    message("alice", "2026-12-02 09:02:00.000000"),
    message("bob", "2026-12-02 09:03:00.000000"),
  ];

  it("is nowhere when nothing is unread", () => {
    expect(firstUnreadId(messages, messages[1].id, 0, "alice")).toBeUndefined();
  });

  it("is before the first message of someone else after my read mark", () => {
    expect(firstUnreadId(messages, messages[1].id, 1, "alice")).toBe(messages[3].id);
  });

  it("counts back from the newest when the mark is older than what is loaded", () => {
    expect(firstUnreadId(messages, "older", 2, "alice")).toBe(messages[3].id);
    expect(firstUnreadId(messages, null, 4, "alice")).toBe(messages[1].id);
  });
});
