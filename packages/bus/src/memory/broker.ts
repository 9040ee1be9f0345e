/**
 * The in-process broker behind MemoryBus: topic exchanges for events, named queues (RPC and
 * subscriptions), streams (bounded logs bound like queues), and reply addresses standing for RabbitMQ's direct reply-to. Share one broker
 * between the MemoryBus instances of the services living in one process.
 */
import type { ExchangeName } from "@talk/contracts";
import { topicMatches } from "./topic";
import { MemoryQueue, type MemoryMessage } from "./queue";
import { MemoryStreamLog, type StreamRetention } from "./stream-log";

export class MemoryBroker {
  private readonly queues = new Map<string, MemoryQueue>();
  private readonly streams = new Map<string, MemoryStreamLog>();
  /** queue → "<exchange> <pattern>" */
  private readonly bindings = new Map<string, Set<string>>();
  private readonly replyTargets = new Map<string, (message: MemoryMessage) => void>();
  private readonly signalListeners = new Set<MemorySignalListener>();

  /** Declares a queue (idempotent). Queues live as long as the broker, like durable queues. */
  declareQueue(name: string): MemoryQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new MemoryQueue(name);
      this.queues.set(name, queue);
    }
    return queue;
  }

  queue(name: string): MemoryQueue | undefined {
    return this.queues.get(name);
  }

  /** Declares a stream (idempotent: an existing stream keeps its retention). */
  declareStream(name: string, retention: StreamRetention): MemoryStreamLog {
    let stream = this.streams.get(name);
    if (!stream) {
      stream = new MemoryStreamLog(name, retention);
      this.streams.set(name, stream);
    }
    return stream;
  }

  stream(name: string): MemoryStreamLog | undefined {
    return this.streams.get(name);
  }

  bind(queue: string, pattern: string, exchange: ExchangeName = "events"): void {
    if (!this.streams.has(queue)) this.declareQueue(queue);
    let patterns = this.bindings.get(queue);
    if (!patterns) {
      patterns = new Set();
      this.bindings.set(queue, patterns);
    }
    patterns.add(`${exchange} ${pattern}`);
  }

  unbind(queue: string, pattern: string, exchange: ExchangeName = "events"): void {
    this.bindings.get(queue)?.delete(`${exchange} ${pattern}`);
  }

  /** Routes to every bound queue (once each); returns how many. Unroutable messages are dropped. */
  publish(message: MemoryMessage, exchange: ExchangeName = "events"): number {
    let routed = 0;
    const prefix = `${exchange} `;
    for (const [queueName, patterns] of this.bindings) {
      for (const binding of patterns) {
        if (binding.startsWith(prefix) && topicMatches(binding.slice(prefix.length), message.routingKey)) {
          (this.queues.get(queueName) ?? this.streams.get(queueName))?.enqueue({ ...message });
          routed++;
          break;
        }
      }
    }
    return routed;
  }

  /** Sends to one queue through the default exchange; false (dropped) when it does not exist. */
  sendToQueue(name: string, message: MemoryMessage): boolean {
    const queue = this.queues.get(name);
    if (!queue) return false;
    queue.enqueue(message);
    return true;
  }

  /** Adds a listener of signals (the signals exchange: every matching listener gets each one). */
  addSignalListener(listener: MemorySignalListener): void {
    this.signalListeners.add(listener);
  }

  removeSignalListener(listener: MemorySignalListener): void {
    this.signalListeners.delete(listener);
  }

  /** Hands a signal to every listener bound to its key now, asynchronously; returns how many. */
  signal(key: string, body: string): number {
    let routed = 0;
    for (const listener of this.signalListeners)
      if (listener.bindings.some((pattern) => topicMatches(pattern, key))) {
        routed++;
        setImmediate(() => {
          if (this.signalListeners.has(listener)) listener.deliver(body);
        });
      }
    return routed;
  }

  registerReplyTarget(address: string, receive: (message: MemoryMessage) => void): void {
    this.replyTargets.set(address, receive);
  }

  unregisterReplyTarget(address: string): void {
    this.replyTargets.delete(address);
  }

  /** Delivers a reply to a caller, asynchronously; dropped when the caller is gone. */
  reply(address: string, message: MemoryMessage): void {
    const receive = this.replyTargets.get(address);
    if (receive) setImmediate(() => receive(message));
  }
}

export interface MemorySignalListener {
  bindings: readonly string[];
  deliver(body: string): void;
}
