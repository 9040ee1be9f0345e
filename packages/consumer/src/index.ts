/** @talk/consumer: Talk's public events for internal services (see README.md). */
export { EventConsumer, type EventConsumerOptions, type Gap } from "./event-consumer";
export { type ChatCheckpoint, type Checkpoints, MemoryCheckpoints } from "./checkpoints";
export { type ApiRecoveryOptions, recoverMessagesThroughApi } from "./recovery";
