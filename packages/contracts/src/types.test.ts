import { readFileSync } from "node:fs";
import { CONTRACT_TYPES_FILE, contractTypesSource } from "../../../scripts/contract-types";
import { agentSchema, chatSchema, messageSchema, participantSchema } from "./schemas/resources";
import type { Agent, Chat, Message, Participant } from "./types";
import { compile, validate } from "./validation";
import { envelopeSchema, type EventEnvelope } from "./events";
import { rpcOperations } from "./rpc";

const ts = "2024-01-17 10:30:00.000000";
const id = "e8b2e976-f043-44c8-bb89-e214e225e813";
const customer = "5e4a0680-804e-11ec-8477-2fea5968d85b";

describe("the contracts' TypeScript types", () => {
  it("are generated from the schemas, up to date (regenerate with `pnpm docs:api`)", async () => {
    expect(readFileSync(CONTRACT_TYPES_FILE, "utf8")).toEqual(await contractTypesSource());
  });
});

describe("the generated types agree with the schemas", () => {
  it("for every resource", () => {
    const agent: Agent = {
      id,
      customer_id: customer,
      username: "a",
      name: "A",
      detail: "",
      permission: "agent",
      tm_create: ts,
      tm_update: ts,
      tm_delete: ts,
    };
    const chat: Chat = {
      id,
      customer_id: customer,
      type: "talk",
      name: "",
      detail: "",
      member_count: 1,
      tm_create: ts,
      tm_update: ts,
      tm_delete: ts,
    };
    const participant: Participant = {
      id,
      customer_id: customer,
      owner_type: "agent",
      owner_id: id,
      chat_id: id,
      tm_joined: ts,
    };
    const message: Message = {
      id,
      customer_id: customer,
      owner_type: "agent",
      owner_id: id,
      chat_id: id,
      parent_id: id,
      type: "normal",
      text: "hi",
      medias: [
        { type: "file", file_id: id },
        { type: "link", link: "https://example.com" },
        { type: "address", address: { type: "tel", target: "+15550100" } },
        { type: "agent", agent: { id } },
      ],
      metadata: { reactions: [{ emoji: "👍", owner_type: "agent", owner_id: id, tm_create: ts }] },
      tm_create: ts,
      tm_update: ts,
      tm_delete: ts,
      tm_edit: ts,
      pinned_by: id,
      tm_pin: ts,
      mentions: [id],
    };
    expect(() => validate(agentSchema, agent)).not.toThrow();
    expect(() => validate(chatSchema, chat)).not.toThrow();
    expect(() => validate(participantSchema, participant)).not.toThrow();
    expect(() => validate(messageSchema, message)).not.toThrow();
    const event: EventEnvelope = {
      id,
      type: "chat_created",
      version: 1,
      publisher: "chat-manager",
      customer_id: customer,
      chat_id: id,
      seq: 1,
      time: ts,
      data: chat,
    };
    expect(() => validate(envelopeSchema, event)).not.toThrow();
  });

  it("and every RPC schema compiles", () => {
    for (const op of Object.values(rpcOperations)) {
      expect(() => compile(op.request)).not.toThrow();
      expect(() => compile(op.response)).not.toThrow();
    }
  });

  it("media must carry the field its type names", () => {
    expect(() =>
      validate(messageSchema.properties.medias, [{ type: "file", link: "x" }], "body.medias"),
    ).toThrow(/body\.medias\.0/);
  });
});
