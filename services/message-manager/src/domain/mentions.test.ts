import { mentionsIn, resolveMentions } from "./mentions";

const alice = "0a7b2c3d-1111-4aaa-8aaa-000000000001";
const bob = "0a7b2c3d-1111-4aaa-8aaa-000000000002";
const carol = "0a7b2c3d-1111-4aaa-8aaa-000000000003";
const dave = "0a7b2c3d-1111-4aaa-8aaa-000000000004";
const chat = (...members: string[]) => ({
  isMember: (id: string) => members.includes(id),
  all: () => members,
});

describe("reading mentions from a text", () => {
  it("takes each <@agent_id> once, in the order of the text, in lower case, and notes <!here>", () => {
    expect(mentionsIn(`hi <@${bob}> and <@${carol.toUpperCase()}>, <@${bob}> again`)).toEqual({
      ids: [bob, carol],
      here: false,
    });
    expect(mentionsIn("<!here> standup in 5")).toEqual({ ids: [], here: true });
    expect(mentionsIn("no one, not even <@ bob> or @bob or <@>x")).toEqual({ ids: [], here: false });
  });

  it("refuses a <@…> that is not an agent id, naming it", () => {
    expect(() => mentionsIn("ping <@bob>")).toThrow(
      expect.objectContaining({
        reason: "MENTION_NOT_PARTICIPANT",
        message: expect.stringContaining("<@bob>"),
      }),
    );
  });
});

describe("resolving mentions against the chat's participants", () => {
  it("keeps participants named in the text", () => {
    expect(resolveMentions(mentionsIn(`<@${carol}> <@${bob}>`), alice, chat(alice, bob, carol))).toEqual([
      carol,
      bob,
    ]);
  });

  it("refuses a non-participant or an unknown id, naming each", () => {
    expect(() => resolveMentions(mentionsIn(`<@${bob}> <@${dave}>`), alice, chat(alice, bob))).toThrow(
      expect.objectContaining({
        status: "INVALID_ARGUMENT",
        reason: "MENTION_NOT_PARTICIPANT",
        message: expect.stringContaining(`<@${dave}>`),
      }),
    );
  });

  it("<!here> mentions every other participant, after those named", () => {
    expect(resolveMentions(mentionsIn(`<!here> <@${carol}>`), alice, chat(carol, bob, alice))).toEqual([
      carol,
      bob,
    ]);
  });

  it("an edit may keep mentioning an agent who has since left, but not add one", () => {
    const edited = mentionsIn(`still <@${dave}>`);
    expect(resolveMentions(edited, alice, chat(alice, bob), [dave])).toEqual([dave]);
    expect(() => resolveMentions(edited, alice, chat(alice, bob), [])).toThrow(/not a participant/);
  });
});
