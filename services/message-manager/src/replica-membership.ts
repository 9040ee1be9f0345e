/**
 * Who is a participant of which chat, as message-manager knows it: from its replica of chat-manager's
 * state first; when the replica says no, chat-manager is asked, and if it says yes the replica is
 * given time to apply the change (so the events of a chat stay in order: a new member's messages
 * come after its `chatparticipant_added`).
 */
import { type Actor, notFound, unavailable } from "@talk/contracts";
import { type ChatView, assertChatVisible, assertMember } from "./domain/message-rules";
import type { MessageStore } from "./store/message-store";

/** chat-manager's authoritative answer, asked only when the replica says no. */
export interface MembershipAuthority {
  membership(
    customerId: string,
    chatId: string,
    agentId: string,
    requestId?: string,
  ): Promise<{ exists: boolean; member: boolean; revision: number }>;
}

export class ReplicaMembership {
  constructor(
    private readonly store: MessageStore,
    private readonly authority: MembershipAuthority,
    private readonly catchUpTimeoutMs = 5000,
  ) {}

  /** The caller must be a participant (reads may see a deleted chat, writes may not). */
  async assertParticipant(
    actor: Actor,
    chatId: string,
    forWrite: boolean,
    requestId?: string,
  ): Promise<ChatView> {
    const replica = await this.store.chatView(chatId);
    if (
      replica &&
      replica.customer_id === actor.customer_id &&
      (await this.store.isMember(chatId, actor.agent_id))
    ) {
      return assertChatVisible(replica, actor, chatId, forWrite);
    }
    await this.confirm(actor, chatId, requestId);
    const caughtUp = assertChatVisible(await this.store.chatView(chatId), actor, chatId, forWrite);
    assertMember(await this.store.isMember(chatId, actor.agent_id), chatId);
    return caughtUp;
  }

  /**
   * Asks chat-manager about a chat the replica cannot vouch for, and waits for the replica to have
   * applied the chat's changes up to its answer. Refuses a chat chat-manager does not know.
   */
  async confirm(actor: Actor, chatId: string, requestId?: string): Promise<void> {
    const truth = await this.authority.membership(actor.customer_id, chatId, actor.agent_id, requestId);
    if (!truth.exists) throw notFound("CHAT_NOT_FOUND", `No chat ${chatId} exists.`);
    await this.awaitRevision(chatId, truth.revision);
  }

  /**
   * Waits until the replica has applied chat-manager's changes of a chat up to `revision`; the
   * revision it has applied. UNAVAILABLE (REPLICA_BEHIND) when it has not in time.
   */
  async awaitRevision(chatId: string, revision: number): Promise<number> {
    const deadline = Date.now() + this.catchUpTimeoutMs;
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      const chat = await this.store.chat(chatId);
      const applied = chat?.revision ?? 0;
      if (applied >= revision) return applied;
      if (Date.now() > deadline)
        throw unavailable("REPLICA_BEHIND", "Chat membership is still being updated; retry in a moment.");
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
