/**
 * An in-process queue with AMQP's delivery semantics: FIFO, competing consumers served round-robin
 * within their prefetch, explicit ack/nack, requeue at the head marked redelivered, per-message
 * expiry, and messages kept while nobody consumes.
 */
import type { TraceCarrier } from "@talk/kit";

export interface MemoryMessage {
  body: string;
  routingKey: string;
  type?: string;
  messageId?: string;
  correlationId?: string;
  replyTo?: string;
  requestId?: string;
  /** W3C trace context of an RPC request (what AMQP carries in headers). */
  trace?: TraceCarrier;
  /** Epoch ms after which the message is dropped instead of delivered. */
  expiresAt?: number;
  redelivered: boolean;
}

export interface Settlement {
  ack(): void;
  nack(requeue: boolean): void;
}

export type Deliver = (message: MemoryMessage, settle: Settlement) => void;

interface Consumer {
  tag: string;
  prefetch: number;
  unacked: number;
  deliver: Deliver;
}

export class MemoryQueue {
  private messages: MemoryMessage[] = [];
  private consumers: Consumer[] = [];
  private next = 0;
  private scheduled = false;

  constructor(readonly name: string) {}

  get depth(): number {
    return this.messages.length;
  }

  enqueue(message: MemoryMessage): void {
    this.messages.push(message);
    this.schedule();
  }

  consume(tag: string, prefetch: number, deliver: Deliver): void {
    this.consumers.push({ tag, prefetch: Math.max(1, prefetch), unacked: 0, deliver });
    this.schedule();
  }

  /** Stops deliveries to a consumer; what it holds can still be settled. */
  cancel(tag: string): void {
    this.consumers = this.consumers.filter((c) => c.tag !== tag);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    const now = Date.now();
    while (this.messages.length > 0) {
      const head = this.messages[0];
      if (head.expiresAt !== undefined && head.expiresAt <= now) {
        this.messages.shift();
        continue;
      }
      const consumer = this.pickConsumer();
      if (!consumer) return;
      this.messages.shift();
      this.deliverTo(consumer, head);
    }
  }

  private pickConsumer(): Consumer | undefined {
    const count = this.consumers.length;
    for (let i = 0; i < count; i++) {
      const consumer = this.consumers[(this.next + i) % count];
      if (consumer.unacked < consumer.prefetch) {
        this.next = (this.next + i + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }

  private deliverTo(consumer: Consumer, message: MemoryMessage): void {
    consumer.unacked++;
    let settled = false;
    const settle = (requeue: boolean) => {
      if (settled) return;
      settled = true;
      consumer.unacked--;
      if (requeue) this.messages.unshift({ ...message, redelivered: true });
      this.schedule();
    };
    try {
      consumer.deliver(message, { ack: () => settle(false), nack: (requeue) => settle(requeue) });
    } catch {
      settle(true);
    }
  }
}
