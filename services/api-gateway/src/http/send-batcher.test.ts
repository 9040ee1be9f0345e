/**
 * The gateway's gathering of sends, over the in-memory bus: the server side answers as
 * message-manager's contract says (one reply per send, in order), held until the test lets it answer.
 */
import { randomUUID } from "node:crypto";
import { MemoryBus } from "@talk/bus";
import { AppError, type Message, type RpcTypes } from "@talk/contracts";
import { SendBatcher } from "./send-batcher";

type Create = RpcTypes["message.create"]["request"];

const actor = { customer_id: randomUUID(), agent_id: randomUUID() };
const request = (text: string): Create => ({
  actor,
  message: { chat_id: randomUUID(), type: "normal", text },
});
const message = (send: Create): Message => ({
  id: randomUUID(),
  customer_id: actor.customer_id,
  owner_type: "agent",
  owner_id: actor.agent_id,
  chat_id: send.message.chat_id,
  type: "normal",
  text: send.message.text ?? "",
  medias: [],
  metadata: { reactions: [] },
  tm_create: "2026-12-02 08:00:00.000000",
  tm_update: "2026-12-02 08:00:00.000000",
  tm_delete: "9999-01-01 00:00:00.000000",
  tm_edit: "9999-01-01 00:00:00.000000",
  pinned_by: "",
  tm_pin: "9999-01-01 00:00:00.000000",
  mentions: [],
});

describe("sends gathered at the gateway", () => {
  let bus: MemoryBus;
  let calls: string[][];
  let release: () => void;
  let held: Promise<void>;

  beforeEach(async () => {
    bus = new MemoryBus({ rpcTimeoutMs: 2000 });
    calls = [];
    held = new Promise<void>((resolve) => (release = resolve));
    const answer = (send: Create) => {
      if (send.message.text === "refused")
        throw new AppError("PERMISSION_DENIED", "NOT_A_PARTICIPANT", "not in the chat");
      return message(send);
    };
    await bus.handle("message.create", async (req) => {
      calls.push([req.message.text ?? ""]);
      await held;
      return answer(req);
    });
    await bus.handle("message.createMany", async (req) => {
      calls.push(req.sends.map((send) => send.message.text ?? ""));
      return {
        replies: req.sends.map((send) => {
          try {
            return { ok: true as const, result: answer(send) };
          } catch (error) {
            return { ok: false as const, error: (error as AppError).toBody() };
          }
        }),
      };
    });
  });

  afterEach(() => bus.close());

  it("sends each alone while fewer calls than the limit are in flight, then the rest together, each with its own answer", async () => {
    const sends = new SendBatcher(bus, { maxCalls: 2 });
    const first = [sends.send(request("a")), sends.send(request("b"))];
    const gathered = [sends.send(request("c")), sends.send(request("refused")), sends.send(request("d"))];
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([["a"], ["b"]]);
    release();
    const answers = await Promise.allSettled([...first, ...gathered]);
    expect(calls).toEqual([["a"], ["b"], ["c", "refused", "d"]]);
    expect(
      answers.map((a) => (a.status === "fulfilled" ? a.value.text : (a.reason as AppError).reason)),
    ).toEqual(["a", "b", "c", "NOT_A_PARTICIPANT", "d"]);
  });

  it("a gathered send whose time ran out while it waited fails as a call without a reply does", async () => {
    const sends = new SendBatcher(bus, { maxCalls: 1, timeoutMs: 50, maxWaitMs: 1000 });
    const first = sends.send(request("a"));
    const late = sends.send(request("late"));
    await new Promise((resolve) => setTimeout(resolve, 80));
    release();
    await expect(first).resolves.toMatchObject({ text: "a" });
    await expect(late).rejects.toMatchObject({ status: "UNAVAILABLE", reason: "RPC_TIMEOUT" });
    expect(calls).toEqual([["a"]]);
  });

  it("gathered sends go after maxWaitMs even while the call before them has not answered", async () => {
    const sends = new SendBatcher(bus, { maxCalls: 1, maxWaitMs: 20 });
    const slow = sends.send(request("slow"));
    const behind = [sends.send(request("b")), sends.send(request("c"))];
    await expect(Promise.all(behind)).resolves.toMatchObject([{ text: "b" }, { text: "c" }]);
    expect(calls).toEqual([["slow"], ["b", "c"]]);
    release();
    await expect(slow).resolves.toMatchObject({ text: "slow" });
  });

  it("with no limit (0), every send is its own call at once", async () => {
    const sends = new SendBatcher(bus, { maxCalls: 0 });
    const all = ["a", "b", "c"].map((text) => sends.send(request(text)));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await Promise.all(all);
    expect(calls).toEqual([["a"], ["b"], ["c"]]);
  });
});
