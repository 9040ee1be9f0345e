/**
 * What a client's frames do: `subscribe` checks every topic (its shape, that it is the caller's,
 * and for one chat that the chat exists in the caller's customer and is one the caller may see),
 * then subscribes to all of them or to none, and acknowledges; `unsubscribe` removes and
 * acknowledges; `ping` is answered with `pong`, after whatever the connection was sent before.
 * Every refusal is an error frame that says why. The first subscription of a connection starts
 * it: live from the replica's head, or replaying from the client's cursor.
 * `typing` and `activity` frames go to the ephemeral side (presence and typing), which answers
 * only with an error when it refuses.
 */
import {
  AppError,
  type ClientFrame,
  type TypingClientFrame,
  NOT_DELETED,
  PUSH_CLOSE_CODES,
  notFound,
  forbidden,
} from "@talk/contracts";
import { parseClientFrame } from "../domain/client-frames";
import { encodeCursor } from "../domain/cursor";
import { answerFromTimeline } from "../domain/topic-answer";
import { type Topic, checkTopic } from "../domain/topics";
import type { ChatMembership } from "../membership";
import type { EventLog } from "../stream/event-log";
import type { Replays } from "../stream/replay";
import type { Connection } from "./connection";

/** What `typing` and `activity` frames do (presence and typing, beside the event stream). */
export interface EphemeralFrames {
  /** Resolves with the reason the frame is refused, if it is. */
  typing(connection: Connection, frame: TypingClientFrame): Promise<AppError | undefined>;
  activity(connection: Connection): void;
}

export class ClientCommands {
  constructor(
    private readonly log: EventLog,
    private readonly replays: Replays,
    private readonly membership: ChatMembership,
    private readonly maxTopics: number,
    private readonly ephemeral: EphemeralFrames,
  ) {}

  /** Handles one frame from the client (frames of a connection are handled one at a time). */
  async handle(connection: Connection, data: Buffer, binary: boolean): Promise<void> {
    const parsed = parseClientFrame(data, binary);
    if (!parsed.ok) return this.refuse(connection, parsed.error, { id: parsed.id });
    const { frame } = parsed;
    if (frame.type === "ping") connection.sendControl({ type: "pong", ...idOf(frame.id) });
    else if (frame.type === "subscribe") await this.subscribe(connection, frame);
    else if (frame.type === "unsubscribe") this.unsubscribe(connection, frame);
    else if (frame.type === "activity") this.ephemeral.activity(connection);
    else if (frame.type === "typing") {
      this.ephemeral.activity(connection);
      const refusal = await this.ephemeral.typing(connection, frame);
      if (refusal) this.refuse(connection, refusal, { id: frame.id, chatId: frame.chat_id });
    }
  }

  /** A client sending frames faster than allowed is told so and disconnected (1008). */
  tooManyFrames(connection: Connection): void {
    this.refuse(
      connection,
      new AppError("RESOURCE_EXHAUSTED", "TOO_MANY_FRAMES", "Too many frames: slow down."),
    );
    connection.close(PUSH_CLOSE_CODES.policyViolation, "too many frames");
  }

  private async subscribe(connection: Connection, frame: ClientFrame): Promise<void> {
    const topics: Topic[] = [];
    for (const text of frame.topics) {
      const checked = checkTopic(connection.viewer, text);
      if (checked instanceof AppError) return this.refuse(connection, checked, { topic: text, id: frame.id });
      topics.push(checked);
    }
    const added = new Set(
      topics.filter((t) => !connection.subscriptions.has(t)).map((t) => JSON.stringify(t)),
    );
    if (connection.subscriptions.size + added.size > this.maxTopics) {
      const error = new AppError(
        "RESOURCE_EXHAUSTED",
        "TOO_MANY_TOPICS",
        `A connection may subscribe to at most ${this.maxTopics} topics; unsubscribe from some first.`,
      );
      return this.refuse(connection, error, { id: frame.id });
    }
    for (let i = 0; i < topics.length; i++) {
      if (connection.subscriptions.has(topics[i])) continue; // held already: checked when it was added
      const refusal = await this.checkChat(connection, topics[i]);
      if (refusal) return this.refuse(connection, refusal, { topic: frame.topics[i], id: frame.id });
    }
    if (!connection.open) return;
    for (const topic of topics) connection.subscriptions.add(topic);
    if (connection.mode === "idle") {
      const resumeFrom = connection.resumeFrom;
      connection.resumeFrom = undefined;
      if (resumeFrom) {
        this.ack(connection, frame, encodeCursor(resumeFrom));
        void this.replays.resume(connection, resumeFrom);
        return;
      }
      connection.mode = "live";
    }
    this.ack(
      connection,
      frame,
      connection.mode === "live" ? this.log.cursor() : (connection.lastCursor ?? this.log.cursor()),
    );
  }

  private unsubscribe(connection: Connection, frame: ClientFrame): void {
    const topics: Topic[] = [];
    for (const text of frame.topics) {
      const checked = checkTopic(connection.viewer, text);
      if (checked instanceof AppError) return this.refuse(connection, checked, { topic: text, id: frame.id });
      topics.push(checked);
    }
    for (const topic of topics) connection.subscriptions.remove(topic);
    connection.sendControl({ type: "unsubscribed", topics: frame.topics, ...idOf(frame.id) });
  }

  /**
   * For a one-chat topic: the chat must exist in the caller's customer, and be one the caller may
   * see. Push's own timeline answers when it can (a final no — another customer's, deleted — or a
   * yes); only what it cannot tell costs a call to chat-manager.
   */
  private async checkChat(connection: Connection, topic: Topic): Promise<AppError | undefined> {
    if (!topic.chatId) return undefined;
    const { customerId, agentId } = connection.viewer;
    const known = this.log.index.timeline(topic.chatId);
    if (known) {
      const local = answerFromTimeline(known, topic, connection.viewer);
      if (local !== "ask") return local;
    }
    let answer;
    try {
      answer = await this.membership.lookup(customerId, topic.chatId, agentId);
    } catch (err) {
      return err instanceof AppError
        ? err
        : new AppError("UNAVAILABLE", "CHAT_MANAGER_UNAVAILABLE", "Could not check the chat; try again.");
    }
    if (!answer.chat) return notFound("CHAT_NOT_FOUND", `No chat ${topic.chatId} exists.`);
    if (answer.chat.tm_delete !== NOT_DELETED)
      return notFound("CHAT_DELETED", `Chat ${topic.chatId} was deleted.`);
    if (topic.kind === "agent" && !answer.participant && answer.chat.type !== "talk")
      return forbidden("NOT_A_PARTICIPANT", `You are not a participant of chat ${topic.chatId}.`);
    const timeline = this.log.index.timeline(topic.chatId);
    timeline?.assume(agentId, answer.participant !== null);
    timeline?.assumeType(answer.chat.type);
    return undefined;
  }

  private ack(connection: Connection, frame: ClientFrame, cursor: string): void {
    connection.sendControl({ type: "subscribed", topics: frame.topics, cursor, ...idOf(frame.id) });
  }

  private refuse(
    connection: Connection,
    error: AppError,
    about: { topic?: string; id?: string | number; chatId?: string } = {},
  ): void {
    connection.sendControl({
      type: "error",
      error: error.toBody(),
      ...(about.topic !== undefined ? { topic: about.topic.slice(0, 200) } : {}),
      ...(about.chatId !== undefined ? { chat_id: about.chatId } : {}),
      ...idOf(about.id),
    });
  }
}

function idOf(id: string | number | undefined): { id?: string | number } {
  return id === undefined ? {} : { id };
}
