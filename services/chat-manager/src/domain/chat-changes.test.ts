import type { Chat, Participant } from "@talk/contracts";
import { chatChange } from "./chat-changes";

const customer = "5e4a0680-804e-11ec-8477-2fea5968d85b";
const chatId = "e8b2e976-f043-44c8-bb89-e214e225e813";
const agentId = "eb1ac5c0-ff63-47e2-bcdb-5da9c336eb4b";
const tm = "2024-01-17 10:32:00.000000";
const chat: Chat = {
  id: chatId,
  customer_id: customer,
  type: "group",
  name: "Support",
  detail: "",
  member_count: 2,
  tm_create: tm,
  tm_update: tm,
  tm_delete: "9999-01-01 00:00:00.000000",
};
const participant: Participant = {
  id: "a3c5e8f2-4d3a-4b5c-9e7f-1a2b3c4d5e6f",
  customer_id: customer,
  owner_type: "agent",
  owner_id: agentId,
  chat_id: chatId,
  tm_joined: tm,
};

describe("a chat change", () => {
  it("of the chat itself carries the chat, the chat's revision after it and the request that made it", () => {
    expect(chatChange("chat_updated", chat, { revision: 4, time: tm, requestId: "req-1" })).toEqual({
      type: "chat_updated",
      customer_id: customer,
      chat_id: chatId,
      revision: 4,
      time: tm,
      request_id: "req-1",
      data: chat,
    });
  });

  it("of a participant carries the participant and the agent's name, for the system message", () => {
    expect(chatChange("chatparticipant_removed", participant, { revision: 5, time: tm }, "Ann")).toEqual({
      type: "chatparticipant_removed",
      customer_id: customer,
      chat_id: chatId,
      revision: 5,
      time: tm,
      data: participant,
      agent_name: "Ann",
    });
  });
});
