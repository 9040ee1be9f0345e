import { buildMessage, decideSend, messageCreated, sentMessage, systemMessage } from "./sends";

const customer = "5e4a0680-804e-11ec-8477-2fea5968d85b";
const me = "eb1ac5c0-ff63-47e2-bcdb-5da9c336eb4b";
const chatId = "e8b2e976-f043-44c8-bb89-e214e225e813";
const parentId = "a3c5e8f2-4d3a-4b5c-9e7f-1a2b3c4d5e6f";
const actor = { customer_id: customer, agent_id: me };
const chat = { id: chatId, customer_id: customer, deleted: false };
const tm = "2024-01-17 10:32:00.000001";

describe("deciding a send", () => {
  it("a participant's send in a live chat is written", () => {
    expect(decideSend(actor, { chat_id: chatId }, { chat, member: true }, false)).toEqual({
      write: true,
      mentions: [],
    });
  });

  it("when the replica cannot vouch for the sender, chat-manager is asked first", () => {
    for (const facts of [
      { chat: undefined, member: false },
      { chat, member: false },
      { chat: { ...chat, deleted: true }, member: true },
      { chat: { ...chat, customer_id: me }, member: true },
    ])
      expect(decideSend(actor, { chat_id: chatId }, facts, false)).toEqual({ confirm: true });
  });

  it("once chat-manager was asked, an unknown or deleted chat is not found and a non-participant is refused", () => {
    const refused = (facts: Parameters<typeof decideSend>[2]) => {
      const decision = decideSend(actor, { chat_id: chatId }, facts, true);
      return "refuse" in decision ? decision.refuse : decision;
    };
    expect(refused({ chat: undefined, member: false })).toMatchObject({ reason: "CHAT_NOT_FOUND" });
    expect(refused({ chat: { ...chat, deleted: true }, member: true })).toMatchObject({
      reason: "CHAT_NOT_FOUND",
    });
    expect(refused({ chat, member: false })).toMatchObject({ reason: "NOT_A_PARTICIPANT" });
  });

  it("a reply needs its parent in the same chat", () => {
    const reply = { chat_id: chatId, parent_id: parentId };
    expect(
      decideSend(
        actor,
        reply,
        { chat, member: true, parent: { chat_id: chatId, customer_id: customer } },
        false,
      ),
    ).toEqual({
      write: true,
      mentions: [],
    });
    expect(decideSend(actor, reply, { chat, member: true }, false)).toMatchObject({
      refuse: { reason: "PARENT_NOT_FOUND" },
    });
    expect(
      decideSend(
        actor,
        reply,
        { chat, member: true, parent: { chat_id: parentId, customer_id: customer } },
        false,
      ),
    ).toMatchObject({ refuse: { reason: "PARENT_IN_OTHER_CHAT" } });
    expect(
      decideSend(actor, reply, { chat, member: true, parent: { chat_id: chatId, customer_id: me } }, false),
    ).toMatchObject({ refuse: { reason: "PARENT_NOT_FOUND" } });
    expect(decideSend(actor, { chat_id: chatId, parent_id: "" }, { chat, member: true }, false)).toEqual({
      write: true,
      mentions: [],
    });
  });
});

describe("building a message and its event", () => {
  it("an agent's send becomes a normal message of the agent, not deleted, without reactions", () => {
    expect(
      sentMessage(parentId, actor, { chat_id: chatId, type: "normal", text: "hi", parent_id: "" }, tm),
    ).toEqual({
      id: parentId,
      customer_id: customer,
      owner_type: "agent",
      owner_id: me,
      chat_id: chatId,
      type: "normal",
      text: "hi",
      medias: [],
      metadata: { reactions: [] },
      tm_create: tm,
      tm_update: tm,
      tm_delete: "9999-01-01 00:00:00.000000",
      tm_edit: "9999-01-01 00:00:00.000000",
      pinned_by: "",
      tm_pin: "9999-01-01 00:00:00.000000",
      mentions: [],
    });
  });

  it("a reply names its parent; a system message has no owner id", () => {
    expect(
      buildMessage(
        { ...systemMessage(me, { customer_id: customer, chat_id: chatId }, "x", tm), parent_id: parentId },
        tm,
      ),
    ).toMatchObject({ parent_id: parentId });
    expect(
      systemMessage(me, { customer_id: customer, chat_id: chatId }, "Ann joined the conversation.", tm),
    ).toMatchObject({
      owner_type: "system",
      owner_id: "",
      type: "system",
      text: "Ann joined the conversation.",
    });
  });

  it("the event carries the message as answered, at its time, with the chat's sequence number", () => {
    const message = sentMessage(parentId, actor, { chat_id: chatId, type: "normal", text: "hi" }, tm);
    expect(messageCreated(message, 7, "req-1")).toEqual({
      type: "chatmessage_created",
      customer_id: customer,
      chat_id: chatId,
      seq: 7,
      time: tm,
      data: message,
      request_id: "req-1",
    });
  });
});

describe("deciding a send that mentions", () => {
  const bob = "0a7b2c3d-1111-4aaa-8aaa-000000000002";
  const dave = "0a7b2c3d-1111-4aaa-8aaa-000000000004";
  const participants = { isMember: (id: string) => [me, bob].includes(id), all: () => [me, bob] };

  it("writes the participants mentioned, and everyone else for <!here>", () => {
    const facts = { chat, member: true, participants };
    expect(
      decideSend(actor, { chat_id: chatId }, { ...facts, mentions: { ids: [bob], here: false } }, false),
    ).toEqual({ write: true, mentions: [bob] });
    expect(
      decideSend(actor, { chat_id: chatId }, { ...facts, mentions: { ids: [], here: true } }, false),
    ).toEqual({ write: true, mentions: [bob] });
  });

  it("asks chat-manager before refusing a mention the replica does not know, then refuses it", () => {
    const facts = { chat, member: true, participants, mentions: { ids: [dave], here: false } };
    expect(decideSend(actor, { chat_id: chatId }, facts, false)).toEqual({ confirm: true });
    expect(decideSend(actor, { chat_id: chatId }, facts, true)).toMatchObject({
      refuse: { reason: "MENTION_NOT_PARTICIPANT" },
    });
  });
});
