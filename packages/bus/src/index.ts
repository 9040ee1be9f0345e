export * from "./bus";
export type { CommonBusOptions } from "./options";
export { MemoryBus, type MemoryBusOptions } from "./memory/memory-bus";
export { MemoryBroker } from "./memory/broker";
export { AmqpBus, type AmqpBusOptions } from "./amqp/amqp-bus";
export { brokerUrls } from "./amqp/broker-urls";
export { type QueueSettings, type DurableQueueType, DEFAULT_QUEUE_SETTINGS } from "./amqp/queue-types";
export { errorReplyOf } from "./rpc-dispatch";
