/**
 * The order of one chat's events by `seq` (pure: no I/O, no timers). Events arrive in any order
 * and more than once; this says which one is due (the next `seq`, or the first ever seen), which
 * are repeats, and which `seq`s are missing while later ones wait.
 */
export class ChatOrder<E extends { seq: number }> {
  private readonly waiting = new Map<number, E>();
  /** The `seq` handed out next; undefined until the first event (or a checkpoint) sets it. */
  private next?: number;
  /** The due event failed in its handler and comes back (redelivery): not missing. */
  private redelivering = false;

  constructor(lastHandled?: number) {
    if (lastHandled !== undefined) this.next = lastHandled + 1;
  }

  /** Takes an arrival: false when it is a repeat (handled already, or already waiting). */
  arrive(event: E): boolean {
    if (this.next !== undefined && event.seq < this.next) return false;
    if (this.waiting.has(event.seq)) return false;
    this.waiting.set(event.seq, event);
    if (event.seq === this.next) this.redelivering = false;
    return true;
  }

  /** The event to handle now, if one is due. */
  due(): E | undefined {
    const first = this.lowest();
    if (first === undefined) return undefined;
    if (this.next === undefined || first === this.next) return this.waiting.get(first);
    return undefined;
  }

  /** The due event was handled: the one after it is due next. */
  handled(event: E): void {
    this.waiting.delete(event.seq);
    this.next = event.seq + 1;
  }

  /** The due event's handler failed: it comes back by redelivery, so it is not missing meanwhile. */
  failed(event: E): void {
    this.waiting.delete(event.seq);
    if (this.next === undefined) this.next = event.seq;
    this.redelivering = true;
  }

  /** The `seq`s missing before the first waiting event (none while the due one is redelivered). */
  missing(): { from: number; to: number } | undefined {
    const first = this.lowest();
    if (first === undefined || this.next === undefined || first <= this.next || this.redelivering)
      return undefined;
    return { from: this.next, to: first - 1 };
  }

  /** Gives the missing `seq`s up (recovered another way): the first waiting event is due. */
  skipMissing(): void {
    const first = this.lowest();
    if (first !== undefined && this.next !== undefined && first > this.next) this.next = first;
  }

  /** The waiting event with the lowest seq. */
  first(): E | undefined {
    const first = this.lowest();
    return first === undefined ? undefined : this.waiting.get(first);
  }

  /** Events waiting (received, not handled). */
  get size(): number {
    return this.waiting.size;
  }

  private lowest(): number | undefined {
    let lowest: number | undefined;
    for (const seq of this.waiting.keys()) if (lowest === undefined || seq < lowest) lowest = seq;
    return lowest;
  }
}
