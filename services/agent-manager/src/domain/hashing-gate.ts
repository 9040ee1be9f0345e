/**
 * A bound on concurrent password hashing. scrypt (16 MiB, ~50 ms of CPU each) runs on libuv's
 * thread pool, which DNS lookups and file access share: a flood of logins must not take all of it
 * nor queue without end. At most `running` hashes run at once; up to `waiting` more wait their turn;
 * beyond that a login is refused at once (429 LOGIN_BUSY) instead of piling up.
 */
import { AppError } from "@talk/contracts";

export class HashingGate {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly limits: { running: number; waiting: number } = { running: 2, waiting: 64 }) {}

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.queue.length;
  }

  async run<T>(hash: () => Promise<T>): Promise<T> {
    if (this.active >= this.limits.running) {
      if (this.queue.length >= this.limits.waiting)
        throw new AppError(
          "RESOURCE_EXHAUSTED",
          "LOGIN_BUSY",
          "Too many logins are being checked right now; try again in a second.",
        );
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else this.active++;
    try {
      return await hash();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
