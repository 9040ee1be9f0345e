/**
 * The soak: a steady load for a long time (30 minutes by default) while every Talk process's
 * resident memory and open file descriptors are sampled. A leak shows as growth from the first
 * window (after warm-up) to the last; a bounded process levels off.
 */
import { sampleProcess } from "../lib/proc";
import { sleep } from "../lib/stats";

export interface SoakProcess {
  name: string;
  firstRssMb: number;
  lastRssMb: number;
  maxRssMb: number;
  firstFds: number;
  lastFds: number;
  ok: boolean;
}

export interface SoakResult {
  minutes: number;
  processes: SoakProcess[];
  ok: boolean;
}

/** Memory may grow by this much from the first window to the last before it counts as a leak. */
const RSS_SLACK = { ratio: 1.25, mb: 24 };
/** Descriptors may differ by this much (connections come and go). */
const FD_SLACK = 16;

export async function soak(
  minutes: number,
  processes: () => { name: string; pid: number }[],
  log: (line: string) => void,
): Promise<SoakResult> {
  const sampleEveryMs = 10_000;
  const samples = new Map<string, { rss: number[]; fds: number[] }>();
  const end = Date.now() + minutes * 60_000;
  let next = Date.now();
  for (let n = 0; Date.now() < end; n++) {
    for (const p of processes()) {
      const sample = sampleProcess(p.pid);
      if (!sample) continue;
      const series = samples.get(p.name) ?? { rss: [], fds: [] };
      series.rss.push(sample.rssMb);
      series.fds.push(sample.openFds);
      samples.set(p.name, series);
    }
    if (n % 30 === 0) log(`soak: ${Math.round((end - Date.now()) / 60_000)} min to go; ${summary(samples)}`);
    next += sampleEveryMs;
    await sleep(Math.max(0, next - Date.now()));
  }
  const result: SoakProcess[] = [];
  for (const [name, { rss, fds }] of samples) {
    // The first window starts after a fifth of the run (warm-up: caches and pools fill), the last
    // is the final fifth.
    const window = Math.max(1, Math.floor(rss.length / 5));
    const first = rss.slice(window, 2 * window);
    const last = rss.slice(-window);
    const firstRss = Math.max(...(first.length ? first : rss));
    const lastRss = Math.max(...last);
    const firstFds = Math.max(...fds.slice(window, 2 * window).concat(fds[0]));
    const lastFds = Math.max(...fds.slice(-window));
    result.push({
      name,
      firstRssMb: firstRss,
      lastRssMb: lastRss,
      maxRssMb: Math.max(...rss),
      firstFds,
      lastFds,
      ok:
        lastRss <= Math.max(firstRss * RSS_SLACK.ratio, firstRss + RSS_SLACK.mb) &&
        lastFds <= firstFds + FD_SLACK,
    });
  }
  return { minutes, processes: result, ok: result.every((p) => p.ok) };
}

function summary(samples: Map<string, { rss: number[]; fds: number[] }>): string {
  return [...samples]
    .map(([name, s]) => `${name} ${Math.round(s.rss[s.rss.length - 1])} MB/${s.fds[s.fds.length - 1]} fds`)
    .join(", ");
}

export const SOAK_RULE = `a process passes when its RSS in the last fifth of the run is at most ${RSS_SLACK.ratio}× (or +${RSS_SLACK.mb} MB) its RSS in the second fifth (after warm-up), and its open descriptors grew by at most ${FD_SLACK}`;
