/**
 * An in-process stream: an append-only log with increasing offsets, bounded by age and size (the
 * oldest entries go first, the newest always stays), read by any number of readers without
 * removing anything — the in-memory counterpart of a RabbitMQ stream queue.
 */
import type { MemoryMessage } from "./queue";

export interface StreamRetention {
  maxAgeMs?: number;
  maxBytes?: number;
}

export interface LogEntry {
  offset: number;
  body: string;
  timestamp: number;
  bytes: number;
}

export class MemoryStreamLog {
  private entries: LogEntry[] = [];
  /** Index in `entries` of the first retained entry (dropped ones are compacted away in batches). */
  private start = 0;
  private nextOffset = 0;
  private bytes = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly name: string,
    private readonly retention: StreamRetention,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Routed messages land here (the broker treats a stream as a queue). */
  enqueue(message: MemoryMessage): void {
    this.append(message.body);
  }

  append(body: string): void {
    const bytes = Buffer.byteLength(body);
    this.entries.push({ offset: this.nextOffset++, body, timestamp: this.clock(), bytes });
    this.bytes += bytes;
    this.trim();
    for (const listener of [...this.listeners]) listener();
  }

  /** Offset of the oldest retained entry (the end offset when empty). */
  get firstOffset(): number {
    this.trim();
    return this.start < this.entries.length ? this.entries[this.start].offset : this.nextOffset;
  }

  /** Offset the next appended entry will get. */
  get endOffset(): number {
    return this.nextOffset;
  }

  /** Up to `limit` retained entries from offset `from` on (from the oldest retained if `from` is older). */
  read(from: number, limit: number): LogEntry[] {
    const first = this.firstOffset;
    const index = this.start + Math.max(0, from - first);
    return this.entries.slice(index, index + limit);
  }

  /** Calls `listener` after every append until the returned function is called. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private trim(): void {
    const { maxAgeMs, maxBytes } = this.retention;
    const oldest = maxAgeMs ? this.clock() - maxAgeMs : -Infinity;
    while (this.entries.length - this.start > 1) {
      const head = this.entries[this.start];
      if (head.timestamp >= oldest && !(maxBytes && this.bytes > maxBytes)) break;
      this.bytes -= head.bytes;
      this.start++;
    }
    if (this.start > 1024 && this.start * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }
}
