/**
 * Who is typing where, as a client shows it (docs/websocket.md, "Typing"): an indicator lasts
 * `TYPING_DISPLAY_MS` unless a new `typing` frame renews it, and goes at once when that agent's
 * message arrives in that chat. Keyed by chat and thread (`parent_id`, null for the chat itself).
 */

/** Mirrors @talk/contracts (checked by a test): this package imports only types from there. */
export const TYPING_DISPLAY_MS = 5000;
export const TYPING_RELAY_INTERVAL_MS = 2000;

/** The agents typing in one chat (or one thread of it), as shown now. */
export interface TypingState {
  chat_id: string;
  parent_id: string | null;
  agent_ids: string[];
}

const keyOf = (chatId: string, parentId: string | null) => `${chatId} ${parentId ?? ""}`;

export class TypingBoard {
  /** chat+thread key → agent id → until when (epoch ms). */
  private readonly until = new Map<string, Map<string, number>>();
  private readonly where = new Map<string, { chat_id: string; parent_id: string | null }>();

  /** A `typing` frame: the agent types there until `now + TYPING_DISPLAY_MS`. */
  typed(chatId: string, parentId: string | null, agentId: string, now: number): TypingState {
    const key = keyOf(chatId, parentId);
    let agents = this.until.get(key);
    if (!agents) {
      this.until.set(key, (agents = new Map()));
      this.where.set(key, { chat_id: chatId, parent_id: parentId });
    }
    agents.set(agentId, now + TYPING_DISPLAY_MS);
    return this.state(key, now);
  }

  /** That agent's message arrived in the chat: its indicators there (chat and threads) stop. */
  messageArrived(chatId: string, agentId: string, now: number): TypingState[] {
    const changed: TypingState[] = [];
    for (const [key, agents] of this.until)
      if (this.where.get(key)?.chat_id === chatId && agents.delete(agentId))
        changed.push(this.state(key, now));
    return changed;
  }

  /** Indicators that ran out by `now` (one state per place that changed). */
  expire(now: number): TypingState[] {
    const changed: TypingState[] = [];
    for (const [key, agents] of this.until) {
      let dropped = false;
      for (const [agentId, until] of agents)
        if (until <= now) {
          agents.delete(agentId);
          dropped = true;
        }
      if (dropped) changed.push(this.state(key, now));
    }
    return changed;
  }

  /** The agents typing in a chat (`parentId` null: in the chat itself, not its threads). */
  typing(chatId: string, parentId: string | null, now: number): string[] {
    return this.state(keyOf(chatId, parentId), now).agent_ids;
  }

  /** When the next indicator runs out, if any. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const agents of this.until.values())
      for (const until of agents.values()) next = next === undefined ? until : Math.min(next, until);
    return next;
  }

  private state(key: string, now: number): TypingState {
    const where = this.where.get(key) ?? { chat_id: "", parent_id: null };
    const agents = this.until.get(key);
    const agentIds = agents ? [...agents].filter(([, until]) => until > now).map(([id]) => id) : [];
    if (agents && agents.size === 0) {
      this.until.delete(key);
      this.where.delete(key);
    }
    return { ...where, agent_ids: agentIds };
  }
}

/** Leading-edge throttle per key: `pass` is true at most once per `intervalMs` for a key. */
export class SendThrottle {
  private readonly last = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  pass(key: string, now: number): boolean {
    const last = this.last.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.last.set(key, now);
    if (this.last.size > 1000)
      for (const [k, at] of this.last) if (now - at >= this.intervalMs) this.last.delete(k);
    return true;
  }
}
