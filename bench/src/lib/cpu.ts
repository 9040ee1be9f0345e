/**
 * CPU time by component during a measurement (Linux /proc), over the processes this bench started:
 * the services (by pid), PostgreSQL, RabbitMQ, the baselines, the bench process itself. On a
 * two-core machine this says where the work goes.
 */
import { readFileSync, readdirSync } from "node:fs";
import type { Samples } from "./stats";

const TICKS_PER_SECOND = 100;

interface ProcInfo {
  pid: number;
  ppid: number;
  cpuMs: number;
  cmdline: string;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    return {
      pid,
      ppid: Number(fields[1]),
      cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND,
      cmdline,
    };
  } catch {
    return undefined;
  }
}

/** CPU milliseconds (user and system) a process has used so far; NaN when it is gone. */
export function processCpuMs(pid: number): number {
  return readProc(pid)?.cpuMs ?? NaN;
}

function allProcs(): ProcInfo[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProc(Number(name)))
    .filter((p): p is ProcInfo => p !== undefined);
}

export class CpuMeter {
  constructor(
    /** Named pids (e.g. services), each counted with its descendants. */
    private readonly named: () => Record<string, number[]>,
  ) {}

  /**
   * CPU milliseconds used so far by every process this bench started (its descendants), by pid
   * with its component: named subtrees by name, PostgreSQL and RabbitMQ (Erlang) processes by
   * command, the bench itself.
   */
  snapshot(): Map<number, { group: string; cpuMs: number }> {
    const procs = allProcs();
    const children = new Map<number, ProcInfo[]>();
    for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    const nameOf = new Map<number, string>();
    for (const [name, pids] of Object.entries(this.named())) for (const pid of pids) nameOf.set(pid, name);
    const out = new Map<number, { group: string; cpuMs: number }>();
    const visit = (proc: ProcInfo, inherited?: string) => {
      // the bench's own command line may name rabbitmq (`--variants rabbitmq-cluster`): it is the bench
      const group =
        inherited ??
        nameOf.get(proc.pid) ??
        (proc.pid === process.pid
          ? undefined
          : /(^|\/)postgres /.test(proc.cmdline)
            ? "postgres"
            : /beam|erl_child_setup|epmd|inet_gethost|rabbitmq/.test(proc.cmdline)
              ? "rabbitmq"
              : undefined);
      out.set(proc.pid, {
        group: group ?? (proc.pid === process.pid ? "bench" : "other"),
        cpuMs: proc.cpuMs,
      });
      for (const child of children.get(proc.pid) ?? []) visit(child, group);
    };
    const self = procs.find((p) => p.pid === process.pid);
    if (self) visit(self);
    return out;
  }

  /**
   * Runs `work` and returns the CPU milliseconds each component used meanwhile (processes that
   * ended during it are left out: a pool's idle connection closing must not count negative).
   */
  async during<T>(work: () => Promise<T>): Promise<{ result: T; cpuMs: Record<string, number> }> {
    const before = this.snapshot();
    const result = await work();
    const after = this.snapshot();
    const cpuMs: Record<string, number> = {};
    for (const [pid, { group, cpuMs: used }] of after)
      cpuMs[group] = (cpuMs[group] ?? 0) + used - (before.get(pid)?.cpuMs ?? 0);
    return { result, cpuMs };
  }
}

/** Sums the CPU of several measured runs, and divides by the operations they completed. */
export class CpuTally {
  private readonly totals: Record<string, number> = {};
  private ops = 0;

  async measure(meter: CpuMeter, work: () => Promise<Samples>): Promise<Samples> {
    const { result, cpuMs } = await meter.during(work);
    for (const [key, value] of Object.entries(cpuMs)) this.totals[key] = (this.totals[key] ?? 0) + value;
    this.ops += result.count;
    return result;
  }

  perOp(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, value] of Object.entries(this.totals))
      if (value > 0) out[key] = Math.round((value / Math.max(1, this.ops)) * 1000) / 1000;
    return out;
  }
}
