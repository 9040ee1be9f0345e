import { randomUUID } from "node:crypto";
import { NOTHING_READ, advanceMark, chatRead, chatSummary, readEvents, unreadCount } from "./read-state";

const TM = "2024-01-17 10:30:00.000000";

describe("read state", () => {
  const reader = { customer_id: randomUUID(), chat_id: randomUUID(), agent_id: randomUUID() };

  it("counts the messages after the mark", () => {
    expect(unreadCount(10, 0)).toBe(10);
    expect(unreadCount(10, 7)).toBe(3);
    expect(unreadCount(10, 10)).toBe(0);
  });

  it("moves a mark forward only", () => {
    const at5 = { ordinal: 5, messageId: randomUUID(), tm: TM };
    const to7 = { ordinal: 7, messageId: randomUUID() };
    expect(advanceMark(at5, to7, TM)).toEqual({ ordinal: 7, messageId: to7.messageId, tm: TM });
    expect(advanceMark(at5, { ordinal: 3, messageId: randomUUID() }, TM)).toBeUndefined();
    expect(advanceMark(at5, { ordinal: 5, messageId: at5.messageId }, TM)).toBeUndefined();
  });

  it("leaves a mark where it is in a chat without messages", () => {
    expect(advanceMark(NOTHING_READ, undefined, TM)).toBeUndefined();
  });

  it("answers the mark with the unread count after it", () => {
    const mark = { ordinal: 8, messageId: randomUUID(), tm: TM };
    expect(chatRead(reader, mark, 10, 1)).toEqual({
      customer_id: reader.customer_id,
      chat_id: reader.chat_id,
      owner_type: "agent",
      owner_id: reader.agent_id,
      last_read_message_id: mark.messageId,
      tm_read: TM,
      unread_count: 2,
      mention_count: 1,
    });
    expect(chatRead(reader, NOTHING_READ, 0, 0)).toMatchObject({ last_read_message_id: null, tm_read: null });
  });

  it("announces a moved mark twice, on the chat's next two seqs: to the reader, then as a receipt", () => {
    const read = chatRead(reader, { ordinal: 1, messageId: randomUUID(), tm: TM }, 1, 0);
    expect(readEvents(read, 41, TM, "req-1")).toEqual([
      {
        type: "chat_read",
        customer_id: reader.customer_id,
        chat_id: reader.chat_id,
        seq: 42,
        time: TM,
        data: read,
        request_id: "req-1",
      },
      {
        type: "chatparticipant_read",
        customer_id: reader.customer_id,
        chat_id: reader.chat_id,
        seq: 43,
        time: TM,
        data: read,
        request_id: "req-1",
      },
    ]);
  });
});

describe("a chat in a member's list", () => {
  const chatId = randomUUID();
  it("counts from the member's mark, and gives a non-member nothing", () => {
    const mark = { ordinal: 4, messageId: randomUUID(), tm: TM };
    expect(chatSummary(chatId, 6, mark, null, 1)).toEqual({
      chat_id: chatId,
      unread_count: 2,
      mention_count: 1,
      last_read_message_id: mark.messageId,
      last_message: null,
    });
    expect(chatSummary(chatId, 6, undefined, null, 3)).toEqual({
      chat_id: chatId,
      unread_count: 0,
      mention_count: 0,
      last_read_message_id: null,
      last_message: null,
    });
  });
});
