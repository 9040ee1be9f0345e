/**
 * The changes chat-manager tells message-manager about (the chat-changes protocol, see
 * @talk/contracts chat-changes.ts), built without I/O: each names the chat's revision after it,
 * and a participant change names its agent.
 */
import type {
  Chat,
  ChatChangeDraft,
  ChatChangeType,
  Participant,
  ParticipantChangeType,
} from "@talk/contracts";

/** When a change happened: the chat's revision after it, its time, and the request that made it. */
export interface Revision {
  revision: number;
  time: string;
  requestId?: string;
}

type ChatOnlyChangeType = Exclude<ChatChangeType, ParticipantChangeType>;

export function chatChange(type: ChatOnlyChangeType, chat: Chat, at: Revision): ChatChangeDraft;
export function chatChange(
  type: ParticipantChangeType,
  participant: Participant,
  at: Revision,
  agentName: string,
): ChatChangeDraft;
export function chatChange(
  type: ChatChangeType,
  data: Chat | Participant,
  { revision, time, requestId }: Revision,
  agentName?: string,
): ChatChangeDraft {
  const chatId = "chat_id" in data ? data.chat_id : data.id;
  return {
    type,
    customer_id: data.customer_id,
    chat_id: chatId,
    revision,
    time,
    ...(requestId ? { request_id: requestId } : {}),
    data,
    ...(agentName !== undefined ? { agent_name: agentName } : {}),
  } as ChatChangeDraft;
}
