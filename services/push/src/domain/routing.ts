/**
 * Which frames a connection gets from a released event: the event through the one topic it
 * reaches the connection by (an agent topic while the agent is in the chat's window, else a
 * customer topic of an admin), preceded by the chat's `chat_created` when the event adds an agent
 * named at the chat's creation. Nothing crosses customers, nothing follows a chat's deletion.
 *
 * The privacy rule is REST's (SPEC §5: a non-participant never sees a chat's messages): a customer
 * topic carries the chat-level events of every chat of the customer (created, updated, deleted,
 * participants), but message events only of chats the admin may read — public channels, and chats
 * the admin is in at that event. Replays go through here too, so no cursor widens it.
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
  if (event.type === "chat_read" && (!participant || event.data.owner_id !== viewer.agentId)) return routed;
  const topic = subscriptions.topicFor(chatId, participant);
  if (topic && (participant || mayReadOnCustomerTopic(viewer, timeline, event)))
    routed.push({ event, topic });
  return routed;
}

const isMessageEvent = (event: EventEnvelope) =>
  event.type.startsWith("chatmessage_") || event.type === "chatparticipant_read";

/** What a customer topic may carry: chat-level events always; message events of readable chats only. */
export function mayReadOnCustomerTopic(
  viewer: Viewer,
  timeline: ChatTimeline,
  event: EventEnvelope,
): boolean {
  if (!isMessageEvent(event)) return true;
  return timeline.type === "talk" || timeline.inWindow(viewer.agentId, event.seq) === true;
}

/**
 * True when routing this chat's events to the viewer needs chat-manager's word first: on the
 * viewer's membership (an agent topic, or a customer topic deciding about messages), or on the
 * chat's type (a customer topic, for a chat first seen mid-history).
 */
export function needsMembership(
  viewer: Viewer,
  subscriptions: Subscriptions,
  timeline: ChatTimeline,
): boolean {
  if (timeline.customerId !== viewer.customerId) return false;
  const asAgent = subscriptions.coversAsAgent(timeline.chatId);
  const asCustomer = subscriptions.coversAsCustomer(timeline.chatId);
  if (!asAgent && !asCustomer) return false;
  return timeline.unknown(viewer.agentId) || (asCustomer && timeline.type === undefined);
}
