/**
 * Which presence announcements to relay. Every agent-manager replica announces the changes it
 * sees, so the same change may come more than once, and two announcements may cross: relay one
 * only when it changes what was last relayed for the agent (status or text) and is not older
 * than it (`tm_presence`).
 */
import type { Presence } from "@talk/contracts";

export class PresenceFilter {
  private readonly last = new Map<string, Presence>();

  /** True when `presence` is news (and remembers it). */
  admit(presence: Presence): boolean {
    const last = this.last.get(presence.agent_id);
    if (last) {
      if (last.status === presence.status && last.text === presence.text) return false;
      if (last.tm_presence && presence.tm_presence && presence.tm_presence < last.tm_presence) return false;
    }
    this.last.set(presence.agent_id, presence);
    return true;
  }

  /** The last status relayed for an agent, if any. */
  statusOf(agentId: string): Presence["status"] | undefined {
    return this.last.get(agentId)?.status;
  }
}
