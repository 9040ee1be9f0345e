export { startPush, type PushDeps, type PushService } from "./app";
export { type PushConfig, pushConfig } from "./config";
export { IN_MEMORY_STREAM, type PushSettings, pushSettings } from "./settings";
