import { randomUUID } from "node:crypto";
import { ChatTimeline } from "../domain/chat-timeline";
import { decodeCursor } from "../domain/cursor";
import { Subscriptions } from "../domain/subscriptions";
import { ChatHistory } from "../domain/test-events";
import { parseTopic, type Viewer } from "../domain/topics";
import type { Connection } from "./connection";
import { EntryFrames } from "./entry-frames";

/** A connection that records what it is sent. */
function recorder(viewer: Viewer, ...topics: string[]) {
  const subscriptions = new Subscriptions(viewer);
  for (const topic of topics) subscriptions.add(parseTopic(topic));
  const sent: { frame: Record<string, unknown>; cursor: string }[] = [];
  const connection = {
    viewer,
    subscriptions,
    open: true,
    sendEvent: (bytes: Buffer, cursor: string) => sent.push({ frame: JSON.parse(bytes.toString()), cursor }),
  } as unknown as Connection;
  return { connection, sent };
}

describe("the frames of one stream entry", () => {
  const viewer: Viewer = { agentId: randomUUID(), customerId: randomUUID(), admin: false };
  const chat = new ChatHistory(viewer.customerId);
  const created = chat.created(1);
  const added = chat.added(viewer.agentId);
  const timeline = new ChatTimeline(created);
  timeline.offer(created, 0, 0);
  timeline.offer(added, 1, 0);

  it("gives an agent named at creation chat_created then its chatparticipant_added, the first with a partial cursor", () => {
    const { connection, sent } = recorder(viewer, `agent_id:${viewer.agentId}:chat`);
    const frames = new EntryFrames(1, added.id);
    frames.send(connection, frames.route(connection, [{ event: added, timeline }]));
    expect(sent.map((s) => s.frame.type)).toEqual(["chat_created", "chatparticipant_added"]);
    expect(sent.map((s) => decodeCursor(s.cursor))).toEqual([
      { offset: 1, tag: frames.tag, frames: 1 },
      { offset: 1, tag: frames.tag },
    ]);
    expect(sent.map((s) => s.frame.cursor)).toEqual(sent.map((s) => s.cursor));
  });

  it("leaves out the frames delivered before a reconnection", () => {
    const { connection, sent } = recorder(viewer, `agent_id:${viewer.agentId}:chat`);
    const frames = new EntryFrames(1, added.id);
    frames.send(connection, frames.route(connection, [{ event: added, timeline }]), 1);
    expect(sent.map((s) => s.frame.type)).toEqual(["chatparticipant_added"]);
  });
});
