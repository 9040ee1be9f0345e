import { topicMatches } from "./topic";

describe("topic matching", () => {
  it.each([
    ["a.b.c", "a.b.c", true],
    ["a.b.c", "a.b", false],
    ["a.*.c", "a.b.c", true],
    ["a.*.c", "a.b.b.c", false],
    ["*.*.c", "x.y.c", true],
    ["a.#", "a", true],
    ["a.#", "a.b.c", true],
    ["#", "anything.at.all", true],
    ["#.c", "a.b.c", true],
    ["#.c", "c", true],
    ["a.#.c", "a.c", true],
    ["a.#.c", "a.x.y.c", true],
    ["a.#.c", "a.x.y.d", false],
    ["chat_created.#", "chat_created.cust.chat", true],
    ["*.cust.*", "chat_created.cust.chat", true],
    ["*.cust.*", "chat_created.other.chat", false],
  ])("%s vs %s → %s", (pattern, key, expected) => {
    expect(topicMatches(pattern, key)).toBe(expected);
  });
});
