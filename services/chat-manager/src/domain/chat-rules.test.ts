import type { Actor, Chat } from "@talk/contracts";
import {
  assertCanJoin,
  assertCanAddMember,
  assertCanDelete,
  assertCanRead,
  assertCanRemove,
  assertCanUpdate,
  assertCanWrite,
  assertSameCustomer,
  directKey,
  initialMembers,
} from "./chat-rules";

const customer = "5e4a0680-804e-11ec-8477-2fea5968d85b";
const me = "eb1ac5c0-ff63-47e2-bcdb-5da9c336eb4b";
const other = "47fe0b7c-7333-46cf-8b23-61e14e62490a";
const third = "0b7c47fe-7333-46cf-8b23-61e14e62490a";
const actor = { customer_id: customer, agent_id: me };
const ref = (owner_id: string) => ({ owner_type: "agent" as const, owner_id });

const chat = (overrides: Partial<Chat> = {}): Chat => ({
  id: "e8b2e976-f043-44c8-bb89-e214e225e813",
  customer_id: customer,
  type: "group",
  name: "",
  detail: "",
  member_count: 2,
  tm_create: "2024-01-17 10:30:00.000000",
  tm_update: "2024-01-17 10:30:00.000000",
  tm_delete: "9999-01-01 00:00:00.000000",
  ...overrides,
});
const deleted = { tm_delete: "2024-01-17 10:35:00.000000" };

describe("who a new chat starts with", () => {
  it("always includes the creator, first, without repeats", () => {
    expect(initialMembers("group", me, [ref(other), ref(me), ref(other)])).toEqual([me, other]);
    expect(initialMembers("talk", me)).toEqual([me]);
  });
  it("a direct chat is the creator plus exactly one other agent", () => {
    expect(initialMembers("direct", me, [ref(other)])).toEqual([me, other]);
    expect(initialMembers("direct", me, [ref(me), ref(other)])).toEqual([me, other]);
    expect(() => initialMembers("direct", me, [])).toThrow(/exactly one other agent/);
    expect(() => initialMembers("direct", me, [ref(me)])).toThrow(/exactly one other agent/);
    expect(() => initialMembers("direct", me, [ref(other), ref(third)])).toThrow(/named 2 other/);
  });
  it("a direct chat's key ignores who created it", () => {
    expect(directKey(customer, [me, other])).toBe(directKey(customer, [other, me]));
  });
});

describe("access to a chat", () => {
  it("another customer's chat is not found", () => {
    expect(() => assertSameCustomer({ ...actor, customer_id: other }, chat(), chat().id)).toThrow(/No chat/);
    expect(() => assertSameCustomer(actor, undefined, chat().id)).toThrow(/No chat/);
  });
  it("participants read their chats, deleted or not", () => {
    expect(() => assertCanRead({ chat: chat(deleted), member: true })).not.toThrow();
  });
  it("anyone reads a live public channel; non-participants of a private chat are refused", () => {
    expect(() => assertCanRead({ chat: chat({ type: "talk" }), member: false })).not.toThrow();
    expect(() => assertCanRead({ chat: chat(), member: false })).toThrow(/not a participant/);
    expect(() => assertCanRead({ chat: chat({ type: "talk", ...deleted }), member: false })).toThrow(
      /No chat/,
    );
  });
  it("only participants write, and a deleted chat takes no writes", () => {
    expect(() => assertCanWrite({ chat: chat(), member: true })).not.toThrow();
    expect(() => assertCanWrite({ chat: chat(), member: false })).toThrow(/not a participant/);
    expect(() => assertCanWrite({ chat: chat(deleted), member: true })).toThrow(/No chat/);
  });
  it("a direct chat takes no more participants", () => {
    expect(() => assertCanAddMember(chat({ type: "direct" }))).toThrow(/exactly two agents/);
    expect(() => assertCanAddMember(chat())).not.toThrow();
  });
  it("only public channels can be joined", () => {
    expect(() => assertCanJoin(chat({ type: "talk" }))).not.toThrow();
    expect(() => assertCanJoin(chat({ type: "group" }))).toThrow(/Only public channels/);
    expect(() => assertCanJoin(chat({ type: "talk", ...deleted }))).toThrow(/No chat/);
  });
  it("anyone may leave; in a direct chat nobody removes the other", () => {
    const direct = { chat: chat({ type: "direct" }), member: true };
    expect(() => assertCanRemove(direct, actor, me)).not.toThrow();
    expect(() => assertCanRemove(direct, actor, other)).toThrow(/only yourself/);
    expect(() => assertCanRemove({ chat: chat(), member: true }, actor, other)).not.toThrow();
  });
});

describe("who may delete a chat, and rename a channel", () => {
  const admin: Actor = { customer_id: customer, agent_id: me, permission: "admin" };
  const agent: Actor = { customer_id: customer, agent_id: me, permission: "agent" };
  const by = (type: Chat["type"], creatorId: string | null, caller = agent, member = true) => ({
    chat: chat({ type }),
    creatorId,
    actor: caller,
    member,
  });

  it("a channel or a group is deleted by the agent who created it", () => {
    expect(() => assertCanDelete(by("talk", me))).not.toThrow();
    expect(() => assertCanDelete(by("group", me))).not.toThrow();
  });
  it("another participant — e.g. anyone who joined a public channel — may not delete it", () => {
    expect(() => assertCanDelete(by("talk", other))).toThrow(
      expect.objectContaining({ reason: "NOT_CHAT_CREATOR" }),
    );
    expect(() => assertCanDelete(by("group", other))).toThrow(
      expect.objectContaining({ reason: "NOT_CHAT_CREATOR" }),
    );
    expect(() => assertCanDelete(by("group", null))).toThrow(
      expect.objectContaining({ reason: "NOT_CHAT_CREATOR" }),
    );
  });
  it("a customer admin may delete any channel or group, participant or not", () => {
    expect(() => assertCanDelete(by("talk", other, admin, false))).not.toThrow();
    expect(() => assertCanDelete(by("group", null, admin, false))).not.toThrow();
  });
  it("a non-participant of a group hears that first", () => {
    expect(() => assertCanDelete(by("group", other, agent, false))).toThrow(
      expect.objectContaining({ reason: "NOT_A_PARTICIPANT" }),
    );
  });
  it("a direct chat is deleted by either of its agents, and by nobody else — not even an admin", () => {
    expect(() => assertCanDelete(by("direct", other))).not.toThrow();
    expect(() => assertCanDelete(by("direct", other, admin, false))).toThrow(
      expect.objectContaining({ reason: "NOT_A_PARTICIPANT" }),
    );
  });
  it("a deleted chat is not found", () => {
    expect(() => assertCanDelete({ ...by("talk", me), chat: chat({ type: "talk", ...deleted }) })).toThrow(
      expect.objectContaining({ reason: "CHAT_NOT_FOUND" }),
    );
  });
  it("a channel's name and detail are changed by its creator or an admin only", () => {
    expect(() => assertCanUpdate(by("talk", me))).not.toThrow();
    expect(() => assertCanUpdate(by("talk", other, admin, false))).not.toThrow();
    expect(() => assertCanUpdate(by("talk", other))).toThrow(
      expect.objectContaining({ reason: "NOT_CHAT_CREATOR" }),
    );
  });
  it("a group's or a direct chat's, by any participant", () => {
    expect(() => assertCanUpdate(by("group", other))).not.toThrow();
    expect(() => assertCanUpdate(by("direct", other))).not.toThrow();
    expect(() => assertCanUpdate(by("group", other, agent, false))).toThrow(
      expect.objectContaining({ reason: "NOT_A_PARTICIPANT" }),
    );
  });
});
