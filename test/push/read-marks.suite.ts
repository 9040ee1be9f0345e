/**
 * Read marks over real WebSockets (issue 12, docs/decisions/read-state.md), on every stack: when an
 * agent marks a chat read, each of its own connections gets `chat_read` (its other devices clear
 * their badges) and every participant gets the receipt `chatparticipant_read`; nobody else gets
 * `chat_read`. "Nothing more arrives" is shown with a marker message sent afterwards in the same
 * chat: a connection receives a chat's events in order, so once the marker is there, the rest would be.
 */
import type { ChatRead, EventFrame } from "@talk/contracts";
import { type TestAgent, type TestStack, newCustomer } from "../support/stacks";
import { PushClient, chatOf } from "./support/push-client";

const chats = "/service_agents/talk_chats";
const messages = "/service_agents/talk_messages";
const ref = (agent: { id: string }) => ({ owner_type: "agent", owner_id: agent.id });
const topicOf = (agent: { id: string }) => `agent_id:${agent.id}:chat`;
const textOf = (frame: EventFrame) => (frame.data as { text?: string }).text;

export function describeReadMarks(name: string, current: () => TestStack): void {
  describe(`read marks over WebSocket (${name})`, () => {
    let stack: TestStack;
    let alice: TestAgent, bob: TestAgent, carol: TestAgent, dave: TestAgent;
    const clients: PushClient[] = [];

    /** The i-th push replica (round robin): devices of one agent may be on different replicas. */
    const connect = async (agent: TestAgent, replica = 0) => {
      const client = await PushClient.connect(stack.wsUrls[replica % stack.wsUrls.length], agent.token);
      clients.push(client);
      await client.subscribe(topicOf(agent));
      return client;
    };
    const send = async (by: TestAgent, chatId: string, text: string) => {
      const res = await by.api.post(messages, { chat_id: chatId, type: "normal", text });
      expect(res.status).toBe(200);
      return res.body as { id: string };
    };
    const typesIn = (client: PushClient, chatId: string) =>
      client
        .events()
        .filter((f) => chatOf(f) === chatId)
        .map((f) => f.type);

    beforeEach(async () => {
      stack = current();
      [alice, bob, carol, dave] = (await newCustomer(stack, 4)).agents;
    });

    afterEach(async () => {
      const open = clients.splice(0);
      for (const client of open) expect(client.invalid).toEqual([]);
      await Promise.all(open.map((c) => (c.ws.readyState === c.ws.OPEN ? c.close() : undefined)));
    });

    it("gives chat_read to each of the reader's devices, the receipt to every participant, and chat_read to nobody else", async () => {
      const chat = await alice.api.post(chats, {
        type: "group",
        name: "Reads",
        participants: [ref(bob), ref(carol)],
      });
      expect(chat.status).toBe(200);
      const chatId: string = chat.body.id;
      const [phone, laptop, alices, carols, daves] = [
        await connect(bob, 0),
        await connect(bob, 1),
        await connect(alice, 0),
        await connect(carol, 1),
        await connect(dave, 0),
      ];
      const message = await send(alice, chatId, `<@${bob.id}> please read`);
      const marked = await bob.api.post(`${chats}/${chatId}/read`);
      expect(marked.status).toBe(200);
      expect(marked.body).toMatchObject({
        last_read_message_id: message.id,
        unread_count: 0,
        mention_count: 0,
      });
      await send(alice, chatId, "marker");

      for (const device of [phone, laptop]) {
        await device.until(
          (c) => c.events().some((f) => textOf(f) === "marker"),
          "the marker on bob's device",
        );
        const read = device.events().find((f) => f.type === "chat_read" && chatOf(f) === chatId);
        expect(read?.data as ChatRead).toEqual(marked.body);
        expect(typesIn(device, chatId).slice(-4)).toEqual([
          "chatmessage_created",
          "chat_read",
          "chatparticipant_read",
          "chatmessage_created",
        ]);
      }
      for (const other of [alices, carols]) {
        await other.until((c) => c.events().some((f) => textOf(f) === "marker"), "the marker");
        expect(typesIn(other, chatId)).not.toContain("chat_read");
        const receipt = other.events().find((f) => f.type === "chatparticipant_read" && chatOf(f) === chatId);
        expect(receipt?.data).toEqual(marked.body);
      }
      // a non-participant gets nothing of the chat (its own marker shows its stream is flowing)
      const own = await dave.api.post(chats, { type: "group", name: "Dave's" });
      await send(dave, own.body.id, "dave's marker");
      await daves.until((c) => c.events().some((f) => textOf(f) === "dave's marker"), "dave's marker");
      expect(daves.events().filter((f) => chatOf(f) === chatId)).toEqual([]);
    });

    it("sends nothing when the mark does not move", async () => {
      const chat = await alice.api.post(chats, { type: "group", name: "Still", participants: [ref(bob)] });
      const chatId: string = chat.body.id;
      const device = await connect(bob, 1);
      await send(alice, chatId, "one");
      expect((await bob.api.post(`${chats}/${chatId}/read`)).status).toBe(200);
      expect((await bob.api.post(`${chats}/${chatId}/read`)).status).toBe(200);
      await send(alice, chatId, "marker");
      await device.until((c) => c.events().some((f) => textOf(f) === "marker"), "the marker");
      expect(typesIn(device, chatId).filter((t) => t === "chat_read")).toHaveLength(1);
    });
  });
}
