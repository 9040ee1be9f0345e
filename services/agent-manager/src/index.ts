export { startAgentManager } from "./app";
export { seedDemo, DEMO_AGENTS } from "./seed";
export { AgentService } from "./agent-service";
