/**
 * Typing indicators (docs/websocket.md): a client's `typing` frame for a chat it takes part in is
 * sent to every push replica as a `typing` signal (at most one per connection and chat per
 * `TYPING_RELAY_INTERVAL_MS`; more are dropped without a word), and each replica hands it to its
 * connections of the other participants subscribed to that chat (through an agent or customer
 * topic). Who takes part is read from the replica's own chat timelines (as for events), asking
 * chat-manager only about a chat or an agent the stream does not tell about. A non-participant
 * gets an error frame naming the chat; nothing is relayed.
 */
import type { Bus, SignalListener } from "@talk/bus";
import {
  AppError,
  NOT_DELETED,
  type Signal,
  TYPING_RELAY_INTERVAL_MS,
  type TypingClientFrame,
  type TypingFrame,
  forbidden,
} from "@talk/contracts";
import { KeyedThrottle } from "@talk/kit";
import type { EventIndex } from "../domain/event-index";
import type { ChatMembership } from "../membership";
import type { PushMetrics } from "../metrics";
import type { Connection } from "../socket/connection";
import type { Hub } from "../socket/hub";

export class TypingRelay {
  private listener: SignalListener | undefined;
  private readonly throttles = new WeakMap<Connection, KeyedThrottle>();

  constructor(
    private readonly bus: Bus,
    private readonly hub: Hub,
    private readonly index: EventIndex,
    private readonly membership: ChatMembership,
    private readonly metrics: PushMetrics,
  ) {}

  async start(): Promise<void> {
    this.listener = await this.bus.listen(["typing.#"], (signal) => this.deliver(signal));
  }

  async stop(): Promise<void> {
    await this.listener?.stop();
  }

  /** A client says its agent types: relayed when it is a participant (and not too often). */
  async typed(connection: Connection, frame: TypingClientFrame): Promise<AppError | undefined> {
    const { agentId, customerId } = connection.viewer;
    const chatId = frame.chat_id;
    const refusal = await this.refusal(customerId, chatId, agentId);
    if (refusal) {
      this.metrics.typingFrames.inc({ outcome: "refused" });
      return refusal;
    }
    let throttle = this.throttles.get(connection);
    if (!throttle) this.throttles.set(connection, (throttle = new KeyedThrottle(TYPING_RELAY_INTERVAL_MS)));
    if (!throttle.pass(chatId)) {
      this.metrics.typingFrames.inc({ outcome: "throttled" });
      return undefined;
    }
    this.metrics.typingFrames.inc({ outcome: "relayed" });
    this.bus.signal({
      type: "typing",
      data: {
        customer_id: customerId,
        chat_id: chatId,
        parent_id: frame.parent_id ?? null,
        agent_id: agentId,
      },
    });
    return undefined;
  }

  /** Why the agent may not type in the chat, if it may not. */
  private async refusal(customerId: string, chatId: string, agentId: string): Promise<AppError | undefined> {
    const notParticipant = forbidden(
      "NOT_A_PARTICIPANT",
      `You are not a participant of chat ${chatId}; typing there is not relayed.`,
    );
    const timeline = this.index.timeline(chatId);
    if (timeline && timeline.customerId === customerId) {
      if (timeline.unknown(agentId)) await this.membership.resolve(timeline, [agentId]);
      return timeline.inWindow(agentId, timeline.lastSeq) === true ? undefined : notParticipant;
    }
    // a chat the stream does not hold (quiet for longer than its retention, or none at all)
    try {
      const answer = await this.membership.lookup(customerId, chatId, agentId);
      return answer.chat && answer.chat.tm_delete === NOT_DELETED && answer.participant
        ? undefined
        : notParticipant;
    } catch (err) {
      return err instanceof AppError
        ? err
        : new AppError("UNAVAILABLE", "CHAT_MANAGER_UNAVAILABLE", "Could not check the chat; try again.");
    }
  }

  /** Hands a typing signal to this replica's connections of the other participants of the chat. */
  private deliver(signal: Signal): void {
    if (signal.type !== "typing") return;
    const { customer_id: customerId, chat_id: chatId, parent_id, agent_id: typist } = signal.data;
    const timeline = this.index.timeline(chatId);
    if (!timeline || timeline.customerId !== customerId) return;
    for (const connection of this.hub.ofCustomer(customerId)) {
      const { agentId } = connection.viewer;
      if (!connection.open || agentId === typist) continue;
      if (timeline.inWindow(agentId, timeline.lastSeq) !== true) continue;
      const topic = connection.subscriptions.topicFor(chatId, true);
      if (!topic) continue;
      const frame: TypingFrame = {
        type: "typing",
        data: { chat_id: chatId, parent_id, agent_id: typist },
        topic,
      };
      connection.sendControl(frame);
      this.metrics.typingDelivered.inc();
    }
  }
}
