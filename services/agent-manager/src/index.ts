export { startAgentManager } from "./app";
export { seedDemo, DEMO_AGENTS } from "./seed";
export { AgentService } from "./agent-service";
export { DEFAULT_PRESENCE_SETTINGS, type PresenceSettings } from "./presence/presence-owner";
