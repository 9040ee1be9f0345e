import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Parser } from "@asyncapi/parser";
import { asyncApiDocument } from "./asyncapi";
import { webSocketAsyncApiDocument } from "./asyncapi-websocket";
import { EVENT_TYPES } from "./events";
import { PUSH_CLOSE_CODES } from "./push";
import { compile } from "./validation";
import { SIGNAL_TYPES } from "./presence";

const committed = (file: string) => JSON.parse(readFileSync(join(__dirname, "../../../docs", file), "utf8"));

/** What @asyncapi/parser, the ecosystem's own validator, reports: every diagnostic, errors and warnings. */
async function diagnose(document: object) {
  const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
  return {
    parsed: parsed !== undefined,
    diagnostics: diagnostics.map((d) => `${d.code}: ${d.message} at ${d.path.join(".")}`),
  };
}

describe("the AsyncAPI document of the events", () => {
  it("has a channel, an operation and a message for every event type", () => {
    const doc = asyncApiDocument();
    for (const type of EVENT_TYPES) {
      expect(doc.channels[type]).toMatchObject({ address: `${type}.{customer_id}.{chat_id}` });
      expect(doc.operations[`receive_${type}`]).toMatchObject({ action: "receive" });
      expect(doc.components.messages[type]).toMatchObject({ name: type });
    }
  });

  it("parses with @asyncapi/parser without an error or a warning", async () => {
    expect(await diagnose(asyncApiDocument())).toEqual({ parsed: true, diagnostics: [] });
  });

  it("is checked for real: the parser refuses deliveryMode in a message's AMQP binding", async () => {
    const doc = asyncApiDocument();
    const broken = {
      ...doc,
      components: {
        messages: {
          ...doc.components.messages,
          chat_created: { name: "x", bindings: { amqp: { deliveryMode: 2 } } },
        },
      },
    };
    const result = await diagnose(broken);
    expect(result.parsed).toBe(false);
    expect(result.diagnostics.join("\n")).toMatch(/deliveryMode/);
  });

  it("describes every presence and typing signal on talk.signals, not persistent", () => {
    const doc = asyncApiDocument();
    for (const type of SIGNAL_TYPES) {
      const name = `signal_${type.replace(".", "_")}`;
      expect(doc.channels[name]).toMatchObject({
        bindings: { amqp: { exchange: { name: "talk.signals" } } },
      });
      expect(doc.components.messages[name]).toMatchObject({ name: type });
      expect(doc.operations[`receive_${name}`]).toMatchObject({ bindings: { amqp: { deliveryMode: 1 } } });
    }
  });

  it("is committed as docs/asyncapi.json, up to date (regenerate with `pnpm docs:api`)", () => {
    expect(committed("asyncapi.json")).toEqual(JSON.parse(JSON.stringify(asyncApiDocument())));
  });
});

describe("the AsyncAPI document of the WebSocket", () => {
  const doc = webSocketAsyncApiDocument();
  const payload = (name: string) =>
    compile({
      ...(doc.channels.ws.messages as Record<string, { payload: object }>)[name].payload,
      components: doc.components,
    });

  it("parses with @asyncapi/parser without an error or a warning", async () => {
    expect(await diagnose(doc)).toEqual({ parsed: true, diagnostics: [] });
  });

  it("describes the client frames, the answers, every event frame and every close code", () => {
    const subscribe = payload("subscribe");
    expect(subscribe({ type: "subscribe", topics: ["agent_id:x:chat"], id: "s1" })).toBe(true);
    expect(subscribe({ type: "unsubscribe", topics: ["agent_id:x:chat"] })).toBe(false);
    expect(payload("unsubscribe")({ type: "unsubscribe", topics: ["agent_id:x:chat"] })).toBe(true);
    expect(Object.keys(doc.channels.ws.messages)).toEqual(
      expect.arrayContaining(["subscribed", "unsubscribed", "error", "resync_required", ...EVENT_TYPES]),
    );
    expect(Object.keys(doc.channels.ws["x-close-codes"]).map(Number).sort()).toEqual(
      Object.values(PUSH_CLOSE_CODES).sort(),
    );
    expect(doc.operations.subscribe.reply.messages).toEqual([
      { $ref: "#/channels/ws/messages/subscribed" },
      { $ref: "#/channels/ws/messages/error" },
    ]);
  });

  it("is committed as docs/asyncapi-websocket.json, up to date (regenerate with `pnpm docs:api`)", () => {
    expect(committed("asyncapi-websocket.json")).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
