/** Latency samples and their summary: count, rate, percentiles (milliseconds). */

export interface Summary {
  count: number;
  errors: number;
  seconds: number;
  /** Completed operations per second. */
  rate: number;
  p50: number;
  p99: number;
  max: number;
}

export class Samples {
  private values: number[] = [];
  errors = 0;
  seconds = 0;

  add(ms: number): void {
    this.values.push(ms);
  }

  get count(): number {
    return this.values.length;
  }

  /** Adds another run's samples (rounds of one measurement are merged). */
  merge(other: Samples): this {
    for (const value of other.values) this.values.push(value);
    this.errors += other.errors;
    this.seconds += other.seconds;
    return this;
  }

  percentile(p: number): number {
    if (this.values.length === 0) return NaN;
    const sorted = Float64Array.from(this.values).sort();
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[rank];
  }

  summary(): Summary {
    if (this.values.length === 0)
      return { count: 0, errors: this.errors, seconds: this.seconds, rate: 0, p50: NaN, p99: NaN, max: NaN };
    const sorted = Float64Array.from(this.values).sort();
    const at = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
    return {
      count: sorted.length,
      errors: this.errors,
      seconds: this.seconds,
      rate: this.seconds > 0 ? sorted.length / this.seconds : 0,
      p50: at(50),
      p99: at(99),
      max: sorted[sorted.length - 1],
    };
  }
}

/** Milliseconds since `start` (a process.hrtime.bigint()). */
export const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
