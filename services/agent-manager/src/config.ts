/** agent-manager's own environment (the host adds the common and database variables), validated at start. */
import { type Config, type ConfigSpec, writeRateConfig } from "@talk/kit";
import type { PresenceSettings } from "./presence/presence-owner";

export const agentManagerConfig = {
  ...writeRateConfig,
  PRESENCE_IDLE_SECONDS: {
    kind: "int",
    description:
      "a connected agent without activity (activity frame, typing, API call) for this long turns away",
    default: 300,
    min: 1,
  },
} as const satisfies ConfigSpec;

export type AgentManagerConfig = Config<typeof agentManagerConfig>;

export function presenceSettingsFrom(config: AgentManagerConfig): Partial<PresenceSettings> {
  return { idleMs: config.PRESENCE_IDLE_SECONDS * 1000 };
}
