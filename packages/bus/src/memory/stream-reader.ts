/** A reader of an in-process stream: follows the log from its position, one entry at a time. */
import type { Logger } from "@talk/kit";
import type { StreamHandler, StreamReader, StreamStart } from "../bus";
import { POSITIONS_PER_ENTRY, deliverStreamEntry, entryOffsetOf } from "../stream-delivery";
import type { MemoryStreamLog } from "./stream-log";

const BATCH = 64;

export class MemoryStreamReader implements StreamReader {
  /** The next event position to hand (-1: from the first entry read). */
  private position: number;
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly log: MemoryStreamLog,
    from: StreamStart,
    private readonly handler: StreamHandler,
    private readonly logger: Logger,
    private readonly redeliveryDelayMs: number,
  ) {
    this.position =
      from === "first" ? -1 : from === "next" ? log.endOffset * POSITIONS_PER_ENTRY : from.offset;
  }

  start(): void {
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async run(): Promise<void> {
    // Like a broker, deliver asynchronously: never inside the caller's tick.
    await new Promise((resolve) => setImmediate(resolve));
    while (!this.stopped) {
      const batch = this.log.read(entryOffsetOf(Math.max(0, this.position)), BATCH);
      if (batch.length === 0) {
        await this.appended();
        continue;
      }
      for (const entry of batch) {
        if (this.stopped) return;
        this.position = await deliverStreamEntry(entry, this.position, this.handler, {
          stream: this.log.name,
          logger: this.logger,
          redeliveryDelayMs: this.redeliveryDelayMs,
          stopped: () => this.stopped,
        });
      }
    }
  }

  private appended(): Promise<void> {
    return new Promise((resolve) => {
      const unsubscribe = this.log.onAppend(() => done());
      const done = () => {
        unsubscribe();
        this.wake = undefined;
        setImmediate(resolve);
      };
      this.wake = done;
    });
  }
}
