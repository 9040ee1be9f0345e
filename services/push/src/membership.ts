/**
 * chat-manager's word on a chat and an agent (`chat.membership`): it checks subscriptions to one
 * chat, and says whether an agent was in a chat whose start the stream no longer holds. A failed
 * call is not retried for a few seconds, so an outage of chat-manager cannot stall delivery.
 */
import type { Bus } from "@talk/bus";
import type { Chat, Participant } from "@talk/contracts";
import type { Logger } from "@talk/kit";
import type { ChatTimeline } from "./domain/chat-timeline";

const RETRY_AFTER_MS = 5000;

export interface MembershipAnswer {
  chat: Chat | null;
  participant: Participant | null;
}

export class ChatMembership {
  private readonly failedUntil = new Map<string, number>();

  constructor(
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  lookup(customerId: string, chatId: string, agentId: string): Promise<MembershipAnswer> {
    return this.bus.call(
      "chat.membership",
      { customer_id: customerId, chat_id: chatId, agent_id: agentId },
      { timeoutMs: this.timeoutMs },
    );
  }

  /**
   * Records in the timeline whether each agent is a participant, for those it cannot tell, and the
   * chat's type when it does not know it.
   */
  async resolve(timeline: ChatTimeline, agentIds: Iterable<string>): Promise<void> {
    const asked = [...new Set(agentIds)];
    const unknown = asked.filter((agentId) => timeline.unknown(agentId));
    if (unknown.length === 0 && timeline.type === undefined && asked.length > 0) unknown.push(asked[0]);
    await Promise.all(
      unknown.map(async (agentId) => {
        const key = `${timeline.chatId} ${agentId}`;
        if ((this.failedUntil.get(key) ?? 0) > Date.now()) return;
        try {
          const answer = await this.lookup(timeline.customerId, timeline.chatId, agentId);
          timeline.assume(agentId, answer.participant !== null);
          if (answer.chat) timeline.assumeType(answer.chat.type);
          this.failedUntil.delete(key);
        } catch (err) {
          this.failedUntil.set(key, Date.now() + RETRY_AFTER_MS);
          this.logger.warn(
            { chatId: timeline.chatId, agentId, err },
            "Could not ask chat-manager about a participant; its events are held back from this agent meanwhile",
          );
        }
      }),
    );
  }
}
