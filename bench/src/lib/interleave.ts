/**
 * Baselines and scenarios are measured in the same run, alternating (A B B A …) so that the noise
 * of a shared two-core machine falls on both; the rounds of each side are merged.
 */
import type { Samples } from "./stats";

export type Measure = () => Promise<Samples>;

export async function interleaved(rounds: number, measures: Measure[]): Promise<Samples[]> {
  const merged: (Samples | undefined)[] = measures.map(() => undefined);
  for (let round = 0; round < rounds; round++) {
    const order = measures.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const samples = await measures[i]();
      merged[i] = merged[i] ? merged[i].merge(samples) : samples;
    }
  }
  return merged.map((s) => {
    if (!s) throw new Error("no rounds");
    return s;
  });
}
