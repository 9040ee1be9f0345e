import { readFileSync } from "node:fs";
import { join } from "node:path";
import { asyncApiDocument } from "./asyncapi";
import { EVENT_TYPES } from "./events";

describe("the AsyncAPI document", () => {
  it("has a channel, an operation and a message for every event type", () => {
    const doc = asyncApiDocument();
    expect(doc.asyncapi).toBe("3.0.0");
    for (const type of EVENT_TYPES) {
      expect(doc.channels[type]).toMatchObject({ address: `${type}.{customer_id}.{chat_id}` });
      expect(doc.operations[`receive_${type}`]).toMatchObject({ action: "receive" });
      expect(doc.components.messages[type]).toMatchObject({ name: type });
    }
  });

  it("is committed as docs/asyncapi.json, up to date (regenerate with `pnpm docs:api`)", () => {
    const committed = JSON.parse(readFileSync(join(__dirname, "../../../docs/asyncapi.json"), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(asyncApiDocument())));
  });
});
