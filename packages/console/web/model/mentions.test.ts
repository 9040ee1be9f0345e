import { mentionsMe, plainText, splitMentions, withMentions } from "./mentions";

const BOB = "0b0b0b0b-0000-4000-8000-000000000001";
const ME = "0a0a0a0a-0000-4000-8000-000000000002";

describe("mentions in a message's text", () => {
  it("splits text around <@id> and <!here>", () => {
    expect(splitMentions(`hi <@${BOB}>, and <!here>!`)).toEqual([
      { text: "hi " },
      { mention: BOB },
      { text: ", and " },
      { here: true },
      { text: "!" },
    ]);
  });

  it("knows when I am mentioned, by id or by @here", () => {
    expect(mentionsMe(`ping <@${ME}>`, ME)).toBe(true);
    expect(mentionsMe("ping <!here>", ME)).toBe(true);
    expect(mentionsMe(`ping <@${BOB}>`, ME)).toBe(false);
    expect(mentionsMe("ping @me", ME)).toBe(false);
  });

  it("turns @username into <@id> when sending, and back into @Name for reading", () => {
    const sent = withMentions("@bob and @here, not @nobody or mail@bob", [{ id: BOB, username: "bob" }]);
    expect(sent).toBe(`<@${BOB}> and <!here>, not @nobody or mail@bob`);
    expect(plainText(sent, () => "Bob Builder")).toBe("@Bob Builder and @here, not @nobody or mail@bob");
  });
});
