/**
 * The topics one connection is subscribed to, and the topic (at most one) through which an event
 * of a chat reaches it: the most specific agent topic first, then the customer topics. An event
 * reaches a connection once however many of its topics match.
 */
import { type Topic, type Viewer, formatTopic } from "./topics";

export class Subscriptions {
  private readonly topics = new Set<string>();
  private agentAll = false;
  private readonly agentChats = new Set<string>();
  private customerAll = false;
  private readonly customerChats = new Set<string>();
  /** Subscribed to the presence of the customer's agents. */
  presence = false;

  constructor(private readonly viewer: Viewer) {}

  get size(): number {
    return this.topics.size;
  }

  get empty(): boolean {
    return this.topics.size === 0;
  }

  has(topic: Topic): boolean {
    return this.topics.has(formatTopic(topic));
  }

  list(): string[] {
    return [...this.topics];
  }

  /** Adds an authorized topic of this viewer. */
  add(topic: Topic): void {
    this.topics.add(formatTopic(topic));
    this.set(topic, true);
  }

  remove(topic: Topic): void {
    this.topics.delete(formatTopic(topic));
    this.set(topic, false);
  }

  /** True when an agent topic covers the chat (events then depend on the agent's membership). */
  coversAsAgent(chatId: string): boolean {
    return this.agentAll || this.agentChats.has(chatId);
  }

  /** True when a customer topic covers the chat (admins: every chat of the customer). */
  coversAsCustomer(chatId: string): boolean {
    return this.customerAll || this.customerChats.has(chatId);
  }

  /** The topic an event of `chatId` reaches this connection through, if any. */
  topicFor(chatId: string, participant: boolean): string | undefined {
    const { agentId, customerId } = this.viewer;
    if (participant) {
      if (this.agentChats.has(chatId)) return `agent_id:${agentId}:chat:${chatId}`;
      if (this.agentAll) return `agent_id:${agentId}:chat`;
    }
    if (this.customerChats.has(chatId)) return `customer_id:${customerId}:chat:${chatId}`;
    if (this.customerAll) return `customer_id:${customerId}:chat`;
    return undefined;
  }

  /**
   * The agent topic the chat's creation goes through for an agent named at creation, if any: none
   * when a customer topic covers the chat, since `chat_created` then came through it already.
   */
  creationTopicFor(chatId: string): string | undefined {
    if (this.coversAsCustomer(chatId)) return undefined;
    return this.topicFor(chatId, true);
  }

  private set(topic: Topic, on: boolean): void {
    if (topic.kind === "presence") this.presence = on;
    else if (topic.kind === "agent") {
      if (!topic.chatId) this.agentAll = on;
      else if (on) this.agentChats.add(topic.chatId);
      else this.agentChats.delete(topic.chatId);
    } else if (!topic.chatId) this.customerAll = on;
    else if (on) this.customerChats.add(topic.chatId);
    else this.customerChats.delete(topic.chatId);
  }
}
