/**
 * Which frames a connection gets from a released event: the event through the one topic it
 * reaches the connection by (an agent topic while the agent is in the chat's window, else a
 * customer topic of an admin), preceded by the chat's `chat_created` when the event adds an agent
 * named at the chat's creation. Nothing crosses customers, nothing follows a chat's deletion.
 */
import type { EventEnvelope } from "@talk/contracts";
import type { ChatTimeline } from "./chat-timeline";
import type { Subscriptions } from "./subscriptions";
import type { Viewer } from "./topics";

export interface Routed {
  event: EventEnvelope;
  topic: string;
}

export function route(
  viewer: Viewer,
  subscriptions: Subscriptions,
  timeline: ChatTimeline,
  event: EventEnvelope,
): Routed[] {
  if (event.customer_id !== viewer.customerId || timeline.customerId !== viewer.customerId) return [];
  if (timeline.deletedSeq !== undefined && event.seq > timeline.deletedSeq) return [];
  const chatId = event.chat_id;
  const routed: Routed[] = [];
  const asAgent = subscriptions.coversAsAgent(chatId);
  if (asAgent) {
    const creation = timeline.creationFor(viewer.agentId, event);
    const topic = creation && subscriptions.creationTopicFor(chatId);
    if (creation && topic) routed.push({ event: creation, topic });
  }
  const participant = asAgent && timeline.inWindow(viewer.agentId, event.seq) === true;
  const topic = subscriptions.topicFor(chatId, participant);
  if (topic) routed.push({ event, topic });
  return routed;
}

/** True when routing this event to the viewer needs chat-manager's word on its membership first. */
export function needsMembership(
  viewer: Viewer,
  subscriptions: Subscriptions,
  timeline: ChatTimeline,
): boolean {
  return (
    timeline.customerId === viewer.customerId &&
    subscriptions.coversAsAgent(timeline.chatId) &&
    timeline.unknown(viewer.agentId)
  );
}
