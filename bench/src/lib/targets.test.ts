import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Results, type Row, markdown, mergeResults, ratiosOf } from "./report";
import type { Summary } from "./stats";
import type { SystemInfo } from "./system-info";
import { type OverloadFigures, issueTargets } from "./targets";

const system = (date: string): SystemInfo => ({
  date,
  commit: "abc1234",
  cpu: "test cpu",
  cpus: 2,
  memoryGb: 8,
  os: "Linux",
  node: "v20",
  postgres: "15",
  rabbitmq: "3.10",
  erlang: "25",
  loadBefore: [1, 1, 1],
});

const summary = (over: Partial<Summary>): Summary => ({
  count: 100,
  errors: 0,
  seconds: 1,
  rate: 100,
  p50: 1,
  p99: 2,
  max: 3,
  ...over,
});

function row(id: string, kind: Row["kind"], talk: Partial<Summary>, baseline: Partial<Summary>): Row {
  const t = { label: "Talk", summary: summary(talk) };
  const b = { label: "base", summary: summary(baseline) };
  return { id, scenario: id, kind, talk: t, baseline: b, ratios: ratiosOf(kind, t, b) };
}

const results = (rows: Row[], date = "2026-12-02T05:00:00.000Z"): Results => ({
  mode: "full",
  system: system(date),
  settings: { mode: "full", durability: "durable" },
  rows,
});

const verdictOf = (lines: string[], text: string) => lines.find((l) => l.includes(text))?.slice(2, 3);

describe("issue 18's targets in the bench report", () => {
  it("judges sends against B1 and the latency budgets against B1 and B2 of the same run", () => {
    const lines = issueTargets(
      results([
        row("send-32-chats", "throughput", { rate: 1100 }, { rate: 1000 }),
        row("send-1-chat", "throughput", { rate: 900 }, { rate: 1000 }),
        row("rpc-c1", "latency", { p50: 0.4 }, { p50: 0.3 }),
        // B1 1.0 + 2 × 0.3 + 0.5 = 2.1 ms
        row("latency-post-message", "latency", { p50: 2.0 }, { p50: 1.0 }),
        // 2 × 0.3 + 1 = 1.6 ms
        row("latency-get-chat", "latency", { p50: 1.7 }, { p50: 0.3 }),
        row("fanout-5000", "fanout", { p99: 50 }, { p99: 20 }),
      ]),
    );
    expect(verdictOf(lines, "32 chats, durable")).toBe("✅");
    expect(verdictOf(lines, "1 chat, durable")).toBe("❌");
    expect(verdictOf(lines, "POST talk_messages p50")).toBe("✅");
    expect(verdictOf(lines, "GET talk_chats")).toBe("❌");
    expect(verdictOf(lines, "N = 5,000")).toBe("❌");
  });

  it("takes B2 on the stack's queue type (quorum) for the latency budgets and shows the classic-queue B2 beside it", () => {
    const quorum = row("rpc-c1", "latency", { p50: 1.5 }, { p50: 1.0 });
    quorum.baseline!.label = "B2 c=1, quorum queue";
    const lines = issueTargets(
      results([
        quorum,
        row("rpc-c1-classic", "latency", { p50: 0.9 }, { p50: 0.4 }),
        // 2 × 1.0 + 1 = 3.0 ms on the quorum B2; 2 × 0.4 + 1 = 1.8 ms on the classic one
        row("latency-get-chat", "latency", { p50: 2.5 }, { p50: 1.0 }),
      ]),
    );
    const get = lines.find((l) => l.includes("GET talk_chats")) ?? "";
    expect(verdictOf(lines, "GET talk_chats")).toBe("✅");
    expect(get).toContain("2 × 1.00 + 1 = 3.00 ms (B2 on a quorum queue");
    expect(get).toContain("with B2 on a classic queue (0.40 ms) the limit would be 1.80 ms: not met");
    expect(verdictOf(lines, "bus alone")).toBe("✅");
    expect(lines.find((l) => l.includes("bus alone"))).toContain(
      "on classic queues, bus 0.90 ms = 2.25× B2 0.40 ms",
    );
  });

  it("judges overload by the curve's 2× minute, not by a comparison offered after it", () => {
    const step = (phase: string, factor: number, goodput: number, refusedP99Ms: number) => ({
      phase,
      factor,
      seconds: 60,
      offeredPerSecond: factor * 1000,
      goodputPerSecond: goodput,
      acceptedP50Ms: 100,
      acceptedP99Ms: 400,
      refused: 1000,
      refusedP99Ms,
      failed: 0,
      maxRssMb: 200,
      maxRssProcess: "api-gateway-1",
    });
    const overload: OverloadFigures = {
      date: "2026-12-02T05:00:00.000Z",
      commit: "abc1234",
      peakPerSecond: 1000,
      peakP99Ms: 300,
      capacityPerSecond: 500,
      capacityP99Ms: 200,
      steps: [
        step("ramp", 1, 1000, 10),
        step("curve", 1, 950, 10),
        step("curve", 2, 930, 40),
        step("fixed in-flight limit only", 2, 500, 900),
      ],
      verdict: "",
    };
    const lines = issueTargets({ ...results([]), overload });
    expect(verdictOf(lines, "goodput ≥ 90 %")).toBe("✅");
    expect(lines.join("\n")).toContain("930/s at 2,000/s offered = 93 % of 1,000/s");
    expect(verdictOf(lines, "refused fast")).toBe("✅");
  });

  it("labels the send rows of a run without durable settings as fsync=off", () => {
    const report = results([row("send-32-chats", "throughput", { rate: 1100 }, { rate: 1000 })]);
    report.settings = { mode: "full" };
    expect(issueTargets(report).join("\n")).toContain("32 chats, fsync=off: ≥ 1.0× B1");
  });
});

describe("merging runs into one report", () => {
  it("keeps each row with the run that measured it, the later run winning a scenario", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-merge-"));
    const first = join(dir, "a.json");
    const second = join(dir, "b.json");
    writeFileSync(
      first,
      JSON.stringify(
        results(
          [
            row("send-32-chats", "throughput", { rate: 500 }, { rate: 1000 }),
            row("fanout-10", "fanout", { p99: 5 }, { p99: 2 }),
          ],
          "2026-12-02T05:00:00.000Z",
        ),
      ),
    );
    writeFileSync(
      second,
      JSON.stringify(
        results(
          [row("send-32-chats", "throughput", { rate: 900 }, { rate: 1000 })],
          "2026-12-02T05:10:00.000Z",
        ),
      ),
    );
    const merged = mergeResults([first, second]);
    expect(merged.runs?.map((r) => r.system.date)).toEqual([
      "2026-12-02T05:00:00.000Z",
      "2026-12-02T05:10:00.000Z",
    ]);
    expect(merged.rows.map((r) => [r.id, r.talk.summary.rate, r.run])).toEqual([
      ["send-32-chats", 900, 1],
      ["fanout-10", 100, 0],
    ]);
    expect(merged.system.date).toBe("2026-12-02T05:10:00.000Z");
    expect(markdown(merged)).toContain("2 runs merged");
  });
});
