import * as contracts from "@talk/contracts";
import { SendThrottle, TYPING_DISPLAY_MS, TYPING_RELAY_INTERVAL_MS, TypingBoard } from "./typing-board";

const chat = "c1";
const thread = "m1";

describe("typing indicators as a client shows them", () => {
  it("uses the protocol's intervals", () => {
    expect(TYPING_DISPLAY_MS).toBe(contracts.TYPING_DISPLAY_MS);
    expect(TYPING_RELAY_INTERVAL_MS).toBe(contracts.TYPING_RELAY_INTERVAL_MS);
  });

  it("shows an agent typing for 5 s unless renewed, per chat and thread apart", () => {
    const board = new TypingBoard();
    expect(board.typed(chat, null, "bob", 0)).toEqual({ chat_id: chat, parent_id: null, agent_ids: ["bob"] });
    board.typed(chat, thread, "carol", 1000);
    expect(board.typing(chat, null, 4999)).toEqual(["bob"]);
    expect(board.typing(chat, thread, 4999)).toEqual(["carol"]);
    board.typed(chat, null, "bob", 4000); // renewed
    expect(board.expire(5000)).toEqual([]);
    expect(board.nextExpiry()).toBe(6000);
    expect(board.expire(6000)).toEqual([{ chat_id: chat, parent_id: thread, agent_ids: [] }]);
    expect(board.expire(9000)).toEqual([{ chat_id: chat, parent_id: null, agent_ids: [] }]);
    expect(board.nextExpiry()).toBeUndefined();
  });

  it("stops at once when the typist's message arrives in that chat (chat and threads), not others'", () => {
    const board = new TypingBoard();
    board.typed(chat, null, "bob", 0);
    board.typed(chat, thread, "bob", 0);
    board.typed(chat, null, "carol", 0);
    board.typed("c2", null, "bob", 0);
    expect(board.messageArrived(chat, "bob", 100)).toEqual([
      { chat_id: chat, parent_id: null, agent_ids: ["carol"] },
      { chat_id: chat, parent_id: thread, agent_ids: [] },
    ]);
    expect(board.typing("c2", null, 100)).toEqual(["bob"]);
  });

  it("throttles sending: once per interval per key", () => {
    const throttle = new SendThrottle(2000);
    expect(throttle.pass(chat, 0)).toBe(true);
    expect(throttle.pass(chat, 1999)).toBe(false);
    expect(throttle.pass("c2", 1999)).toBe(true);
    expect(throttle.pass(chat, 2000)).toBe(true);
  });
});
