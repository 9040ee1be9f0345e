import type { Message } from "@talk/contracts";
import {
  assertAuthor,
  assertChatVisible,
  assertMember,
  assertParent,
  assertPostable,
  assertReactable,
  assertReactionFits,
  parentIdOf,
  systemText,
} from "./message-rules";

const customer = "5e4a0680-804e-11ec-8477-2fea5968d85b";
const me = "eb1ac5c0-ff63-47e2-bcdb-5da9c336eb4b";
const chatId = "e8b2e976-f043-44c8-bb89-e214e225e813";
const actor = { customer_id: customer, agent_id: me };
const message = (overrides: Partial<Message> = {}): Message => ({
  id: "a3c5e8f2-4d3a-4b5c-9e7f-1a2b3c4d5e6f",
  customer_id: customer,
  owner_type: "agent",
  owner_id: me,
  chat_id: chatId,
  type: "normal",
  text: "hi",
  medias: [],
  metadata: { reactions: [] },
  tm_create: "2024-01-17 10:32:00.000000",
  tm_update: "2024-01-17 10:32:00.000000",
  tm_delete: "9999-01-01 00:00:00.000000",
  tm_edit: "9999-01-01 00:00:00.000000",
  pinned_by: "",
  tm_pin: "9999-01-01 00:00:00.000000",
  mentions: [],
  ...overrides,
});

describe("posting", () => {
  it("a message needs text or media", () => {
    expect(() => assertPostable({ chat_id: chatId, type: "normal", text: "  " })).toThrow(/needs text/);
    expect(() =>
      assertPostable({ chat_id: chatId, type: "normal", medias: [{ type: "link", link: "https://x" }] }),
    ).not.toThrow();
  });
  it('treats an empty parent_id as "no parent"', () => {
    expect(parentIdOf({ parent_id: "" })).toBeUndefined();
    expect(parentIdOf({ parent_id: chatId })).toBe(chatId);
  });
  it("a reply's parent must exist in the same chat", () => {
    const chat = { id: chatId, customer_id: customer };
    expect(() => assertParent(undefined, "p", chat)).toThrow(/No message p/);
    expect(() => assertParent({ chat_id: "other", customer_id: customer }, "p", chat)).toThrow(/not in chat/);
    expect(() => assertParent({ chat_id: chatId, customer_id: customer }, "p", chat)).not.toThrow();
  });
  it("another customer's message answers exactly as an unknown id", () => {
    const chat = { id: chatId, customer_id: customer };
    const unknown = () => assertParent(undefined, "p", chat);
    const foreign = () => assertParent({ chat_id: "other", customer_id: me }, "p", chat);
    expect(foreign).toThrow(
      expect.objectContaining({ reason: "PARENT_NOT_FOUND", message: "No message p exists to reply to." }),
    );
    expect(unknown).toThrow(
      expect.objectContaining({ reason: "PARENT_NOT_FOUND", message: "No message p exists to reply to." }),
    );
  });
});

describe("access", () => {
  const chat = { id: chatId, customer_id: customer, deleted: false };
  it("another customer's chat, or an unknown one, is not found", () => {
    expect(() => assertChatVisible(undefined, actor, chatId, false)).toThrow(/No chat/);
    expect(() => assertChatVisible({ ...chat, customer_id: me }, actor, chatId, false)).toThrow(/No chat/);
  });
  it("a deleted chat can be read but takes no writes", () => {
    expect(() => assertChatVisible({ ...chat, deleted: true }, actor, chatId, false)).not.toThrow();
    expect(() => assertChatVisible({ ...chat, deleted: true }, actor, chatId, true)).toThrow(/No chat/);
  });
  it("non-participants are refused", () => {
    expect(() => assertMember(false, chatId)).toThrow(/not a participant/);
  });
  it("only the author deletes", () => {
    expect(() => assertAuthor(message(), actor)).not.toThrow();
    expect(() => assertAuthor(message({ owner_id: chatId }), actor)).toThrow(/Only the author/);
    expect(() => assertAuthor(message({ owner_type: "system" }), actor)).toThrow(/Only the author/);
  });
  it("a deleted message takes no reactions", () => {
    expect(() => assertReactable(message({ tm_delete: "2024-01-17 10:40:00.000000" }))).toThrow(
      /was deleted/,
    );
  });
});

it("system messages say who joined or left", () => {
  expect(systemText("Agent B", "joined")).toBe("Agent B joined the conversation.");
  expect(systemText("Agent C", "left")).toBe("Agent C left the conversation.");
});

describe("distinct reactions per message", () => {
  const withEmoji = (count: number) =>
    message({
      metadata: {
        reactions: Array.from({ length: count }, (_, i) => ({
          emoji: `e${i}`,
          owner_type: "agent" as const,
          owner_id: me,
          tm_create: "2024-01-17 10:30:00.000000",
        })),
      },
    });
  it("takes new emoji up to 50 different ones", () => {
    expect(() => assertReactionFits(withEmoji(49), "new")).not.toThrow();
  });
  it("refuses a 51st different emoji with a 409 that says so, but not another agent's same emoji", () => {
    expect(() => assertReactionFits(withEmoji(50), "new")).toThrow(
      expect.objectContaining({ status: "CONFLICT", reason: "TOO_MANY_REACTIONS" }),
    );
    expect(() => assertReactionFits(withEmoji(50), "e7")).not.toThrow();
  });
});
