export { startPush, type PushDeps, type PushService } from "./app";
export { DEFAULT_PUSH_SETTINGS, IN_MEMORY_STREAM, type PushSettings } from "./settings";
