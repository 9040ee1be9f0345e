/**
 * Hostile input (issue 16): every malformed value gets a 4xx that names the problem — never a 5xx,
 * never a half-written row. Run against every stack.
 */
import { randomUUID } from "node:crypto";
import { type TestAgent, type TestStack, newCustomer } from "../support/stacks";

const chats = "/service_agents/talk_chats";
const messages = "/service_agents/talk_messages";
const NUL = "a\u0000b";
const LONE = "a\ud800b";

export function describeHostileInput(name: string, current: () => TestStack): void {
  describe(`hostile input (${name})`, () => {
    let stack: TestStack;
    let alice: TestAgent, bob: TestAgent;
    let chatId: string;

    beforeEach(async () => {
      stack = current();
      [alice, bob] = (await newCustomer(stack, 2)).agents;
      const chat = await alice.api.post(chats, {
        type: "group",
        name: "Hostile",
        participants: [{ owner_type: "agent", owner_id: bob.id }],
      });
      chatId = chat.body.id;
    });

    const expectNamed = (res: { status: number; body: any }, field: RegExp) => {
      expect(res.status).toBe(400);
      expect(res.body.error.status).toBe("INVALID_ARGUMENT");
      expect(res.body.error.message).toMatch(field);
    };

    describe("one rule for strings: no NUL, no unpaired surrogate, anywhere", () => {
      it.each([
        ["a chat name", NUL, (v: string) => ({ type: "group", name: v }), /body\.name/],
        ["a chat detail", LONE, (v: string) => ({ type: "group", detail: v }), /body\.detail/],
      ])("refuses %s with 400 naming it", async (_what, value, make, field) => {
        expectNamed(await alice.api.post(chats, make(value)), field);
        expectNamed(await alice.api.put(`${chats}/${chatId}`, { name: value }), /body\.name/);
      });
      it("refuses it in message text, a link, a media field and an emoji", async () => {
        expectNamed(
          await alice.api.post(messages, { chat_id: chatId, type: "normal", text: NUL }),
          /body\.text/,
        );
        expectNamed(
          await alice.api.post(messages, {
            chat_id: chatId,
            type: "normal",
            medias: [{ type: "link", link: `https://x.example/${NUL}` }],
          }),
          /body\.medias\.0\.link/,
        );
        expectNamed(
          await alice.api.post(messages, {
            chat_id: chatId,
            type: "normal",
            medias: [{ type: "address", address: { type: "tel", target: LONE } }],
          }),
          /body\.medias\.0\.address\.target/,
        );
        const sent = await alice.api.post(messages, { chat_id: chatId, type: "normal", text: "hi" });
        expectNamed(
          await alice.api.post(`${messages}/${sent.body.id}/reactions`, { emoji: "\ud83d" }),
          /body\.emoji/,
        );
        expectNamed(
          await alice.api.post(`${messages}/${sent.body.id}/reactions`, { emoji: NUL }),
          /body\.emoji/,
        );
        const list = await alice.api.get(`${messages}?chat_id=${chatId}`);
        expect(
          list.body.result
            .filter((m: { type: string }) => m.type === "normal")
            .map((m: { text: string }) => m.text),
        ).toEqual(["hi"]);
      });
      it("refuses it in an agent's username and name, and in a login without a token", async () => {
        expectNamed(
          await alice.api.post("/agents", { username: `x${NUL}`, password: "long-enough-password" }),
          /body\.username/,
        );
        expectNamed(
          await alice.api.post("/agents", {
            username: "ok-name",
            password: "long-enough-password",
            name: LONE,
          }),
          /body\.name/,
        );
        expectNamed(await stack.api.post("/auth/login", { username: NUL, password: "x" }), /body\.username/);
      });
      it("returns paired surrogates (emoji) exactly as sent", async () => {
        const sent = await alice.api.post(messages, { chat_id: chatId, type: "normal", text: "ok 😀" });
        expect(sent.status).toBe(200);
        expect((await alice.api.get(`${messages}/${sent.body.id}`)).body.text).toBe("ok 😀");
      });
    });

    it.each(["2024-13-45 99:99:99.000000", "2024-02-30 10:00:00.000000", "0000-01-01 00:00:00.000000"])(
      "refuses the impossible page_token %s on every list route",
      async (token) => {
        const q = `page_token=${encodeURIComponent(token)}`;
        for (const path of [
          `${chats}?${q}`,
          `/service_agents/talk_channels?${q}`,
          `/agents?${q}`,
          `${messages}?chat_id=${chatId}&${q}`,
        ]) {
          const res = await alice.api.get(path);
          expect({ path, status: res.status, reason: res.body.error?.reason }).toEqual({
            path,
            status: 400,
            reason: "INVALID_PAGE_TOKEN",
          });
        }
      },
    );

    it("refuses bad percent-encoding in a path id with 400", async () => {
      for (const path of [`${chats}/%ZZ`, `${messages}/%E0%A4%A`, `/agents/%`, `/files/%/content`]) {
        const res = await alice.api.get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.body.error.reason).toBe("MALFORMED_PATH");
      }
    });

    it("refuses JSON nested too deep, with or without an Idempotency-Key", async () => {
      const deep = "[".repeat(100_000) + "]".repeat(100_000);
      for (const headers of [{}, { "idempotency-key": randomUUID() }] as Record<string, string>[]) {
        const res = await alice.api.request("POST", chats, deep, headers);
        expect(res.status).toBe(400);
        expect(res.body.error.reason).toBe("BODY_TOO_DEEP");
      }
    });

    it("refuses a body that claims gzip but is not", async () => {
      const res = await alice.api.request("POST", chats, JSON.stringify({ type: "group" }), {
        "content-encoding": "gzip",
      });
      expect(res.status).toBe(400);
      expect(res.body.error.reason).toBe("MALFORMED_BODY_ENCODING");
      expect(res.body.error.message).toMatch(/gzip/);
    });
  });
}
