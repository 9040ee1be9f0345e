/**
 * A one-chat topic, answered from push's own view of the chat when it can: the stream's events say
 * for certain that a chat is another customer's or deleted, and that an agent may see it (a public
 * channel, or a participant). Only what the stream cannot tell needs chat-manager's word — re-sending
 * the same subscribe costs no RPC per topic.
 */
import { type AppError, notFound } from "@talk/contracts";
import type { ChatTimeline } from "./chat-timeline";
import type { Topic, Viewer } from "./topics";

/** What the stream already tells about a one-chat topic: refused, allowed (undefined), or "ask". */
export function answerFromTimeline(
  timeline: ChatTimeline,
  topic: Topic,
  viewer: Viewer,
): AppError | undefined | "ask" {
  const chatId = timeline.chatId;
  if (timeline.customerId !== viewer.customerId)
    return notFound("CHAT_NOT_FOUND", `No chat ${chatId} exists.`);
  if (timeline.deletedSeq !== undefined) return notFound("CHAT_DELETED", `Chat ${chatId} was deleted.`);
  if (topic.kind === "customer") return undefined;
  if (timeline.type === "talk" || timeline.members.has(viewer.agentId)) return undefined;
  return "ask";
}
