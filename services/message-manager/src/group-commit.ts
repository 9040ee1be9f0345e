/**
 * Group commit: requests that arrive while a batch is being written wait, and go together in the
 * next one — one transaction (one commit, a few statements) for many of them. Under no load a
 * request starts its batch at once and waits for nothing; under load batches grow by themselves.
 * At most `concurrency` batches are written at a time, each of at most `maxBatch` requests.
 */
export interface GroupCommitOptions {
  maxBatch: number;
  concurrency: number;
}

/**
 * What became of one request of a batch: its value, its error, or work to do on its own once the
 * batch is written (run outside the batch's slot, so a slow one holds no other request back).
 */
export type Outcome<T> = { value: T } | { error: unknown } | { alone: () => Promise<T> };

/** Writes a batch; answers one outcome per input, in the order given. */
export type BatchWriter<In, Out> = (inputs: In[]) => Promise<Outcome<Out>[]>;

interface Waiting<In, Out> {
  input: In;
  /** Written in a batch of its own. */
  alone: boolean;
  resolve(value: Out | Promise<Out>): void;
  reject(error: unknown): void;
}

export class GroupCommit<In, Out> {
  private queue: Waiting<In, Out>[] = [];
  private running = 0;
  private pumping = false;

  constructor(
    private readonly write: BatchWriter<In, Out>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(input: In): Promise<Out> {
    return this.enqueue(input, false);
  }

  /** Like `submit`, but the request is written in a batch of its own (e.g. after its batch failed). */
  submitAlone(input: In): Promise<Out> {
    return this.enqueue(input, true);
  }

  private enqueue(input: In, alone: boolean): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, alone, resolve, reject });
      this.schedulePump();
    });
  }

  /**
   * The queue is looked at once the code that queues is done (a microtask later): requests queued
   * together (e.g. the sends of one request that carries many) start one batch, not one alone and
   * the rest in the next.
   */
  private schedulePump(): void {
    if (this.pumping) return;
    this.pumping = true;
    queueMicrotask(() => {
      this.pumping = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const batch = this.nextBatch();
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  /** Up to `maxBatch` requests from the head of the queue; a request to be written alone goes alone. */
  private nextBatch(): Waiting<In, Out>[] {
    if (this.queue[0].alone) return this.queue.splice(0, 1);
    let size = 1;
    while (size < this.options.maxBatch && size < this.queue.length && !this.queue[size].alone) size++;
    return this.queue.splice(0, size);
  }

  private async run(batch: Waiting<In, Out>[]): Promise<void> {
    let outcomes: Outcome<Out>[];
    try {
      outcomes = await this.write(batch.map((w) => w.input));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    batch.forEach((waiting, i) => {
      const outcome = outcomes[i];
      if (!outcome) waiting.reject(new Error("the batch writer gave no outcome for this request"));
      else if ("value" in outcome) waiting.resolve(outcome.value);
      else if ("error" in outcome) waiting.reject(outcome.error);
      else waiting.resolve(outcome.alone());
    });
  }
}
