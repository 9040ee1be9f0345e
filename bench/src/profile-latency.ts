/**
 * `tsx src/profile-latency.ts [--seconds 5] [--fsync-off] [--trace] [--cpu-prof DIR] [--statements] [--env NAME=VALUE]…`
 *
 * Where one request's time goes at concurrency 1, on one distributed stack: sequential
 * `POST talk_messages` and `GET talk_chats/{id}` (and the gateway's `/readyz`, which makes no RPC),
 * their p50 and p99. With `--trace` every service exports its OpenTelemetry spans to a collector in
 * this process, and the report gives, per request kind, the median of each hop from the spans'
 * durations: the HTTP server span in the gateway, the RPC client span, the RPC server span in the
 * manager, and the differences (the gateway's own work, the broker's two hops). Tracing costs a little
 * itself: read the traced run for the breakdown and the untraced one for the figures. `--env` sets a
 * variable of every service (e.g. `RABBITMQ_QUEUE_TYPE=classic` to compare the RPC queues' type).
 * With `--cpu-prof DIR` every service writes a V8 CPU profile of the measured `GET talk_chats/{id}`
 * window (summarise one with `npx tsx src/profile-summary.ts <file>`). The GET and POST lines also
 * give the CPU milliseconds per request of each process; with `--statements` (PostgreSQL loads
 * pg_stat_statements for the run), the statements each database ran per GET and per POST with
 * their planning and execution time.
 */
import http from "node:http";
import pg from "pg";
import { CpuMeter } from "./lib/cpu";
import type { AddressInfo } from "node:net";
import { Fixtures } from "./lib/fixtures";
import { HttpClient, closedLoop } from "./lib/http";
import { runCommand } from "./lib/run";
import { profiled, startStack } from "./lib/stack";
import type { Samples } from "./lib/stats";
import { argv, option } from "./lib/args";

const seconds = Number(option("--seconds", "5"));
const traced = argv.includes("--trace");
const cpuProf = argv.includes("--cpu-prof") ? option("--cpu-prof", "") : undefined;
const statements = argv.includes("--statements");
const durability = argv.includes("--fsync-off") ? "fsync-off" : "durable";
const serviceEnv = Object.fromEntries(
  argv.flatMap((arg, i) => {
    if (argv[i - 1] !== "--env") return [];
    const at = arg.indexOf("=");
    return at > 0 ? [[arg.slice(0, at), arg.slice(at + 1)]] : [];
  }),
);

const log = (line: string) =>
  process.stdout.write(`[latency ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

interface Span {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  start: number;
  end: number;
}

interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        startTimeUnixNano: string | number;
        endTimeUnixNano: string | number;
      }[];
    }[];
  }[];
}

/** An OTLP/HTTP (JSON) collector keeping every span it is sent. */
async function collector(): Promise<{ url: string; spans: Span[]; close(): void }> {
  const spans: Span[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpExport;
        for (const resource of body.resourceSpans ?? []) {
          const service =
            resource.resource?.attributes?.find((a) => a.key === "service.name")?.value.stringValue ?? "?";
          for (const scope of resource.scopeSpans ?? [])
            for (const s of scope.spans ?? [])
              spans.push({
                service,
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId || undefined,
                name: s.name,
                start: Number(BigInt(s.startTimeUnixNano) / 1000n) / 1000,
                end: Number(BigInt(s.endTimeUnixNano) / 1000n) / 1000,
              });
        }
      } catch {
        // not JSON (e.g. protobuf): ignored
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => server.close(),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};

/** Per trace rooted at a gateway HTTP span named like `prefix`: the median of each hop. */
function breakdown(spans: Span[], prefix: string): string[] {
  const byTrace = new Map<string, Span[]>();
  for (const span of spans)
    (byTrace.get(span.traceId) ?? byTrace.set(span.traceId, []).get(span.traceId)!).push(span);
  const hops = new Map<string, number[]>();
  const add = (name: string, ms: number) => (hops.get(name) ?? hops.set(name, []).get(name)!).push(ms);
  let traces = 0;
  for (const trace of byTrace.values()) {
    const root = trace.find((s) => !s.parentSpanId && s.name.startsWith(prefix));
    if (!root) continue;
    const clients = trace.filter((s) => s.parentSpanId === root.spanId && s.service === root.service);
    traces++;
    add("gateway HTTP span", root.end - root.start);
    // Spans' durations only: the SDK takes a span's start from Date.now() (whole milliseconds) and
    // its end from the monotonic clock, so gaps between two spans' starts are quantised. With two
    // calls (GET talk_chats/{id}: they overlap), the gateway's own work is against the longer one.
    const longest = Math.max(0, ...clients.map((c) => c.end - c.start));
    if (clients.length > 0)
      add(
        "  gateway's own work (HTTP span minus its longest RPC client span)",
        root.end - root.start - longest,
      );
    for (const client of clients) {
      const server = trace.find((s) => s.parentSpanId === client.spanId);
      add(`  RPC client span ${client.name}`, client.end - client.start);
      if (!server) continue;
      add(
        `    ${client.name}: broker, both ways (client span minus server span)`,
        client.end - client.start - (server.end - server.start),
      );
      add(`    ${client.name}: ${server.service} serving`, server.end - server.start);
      for (const child of trace.filter((s) => s.parentSpanId === server.spanId))
        add(
          `      ${child.service} ${child.name} (after the reply, not waited for)`,
          child.end - child.start,
        );
    }
  }
  return [
    `${prefix}: ${traces} traces, median ms per hop`,
    ...[...hops].map(([name, ms]) => `  ${median(ms).toFixed(3).padStart(8)}  ${name}`),
  ];
}

interface StatementRow {
  datname: string;
  calls: string;
  total_plan_time: number;
  total_exec_time: number;
  query: string;
}

/** Each process's CPU milliseconds per request of a window, the busiest first. */
const cpuLine = (cpuMs: Record<string, number>, count: number) =>
  Object.entries(cpuMs)
    .filter(([, ms]) => ms > 0)
    .sort((x, y) => y[1] - x[1])
    .map(([group, ms]) => `${group} ${(ms / count).toFixed(3)}`)
    .join(", ");

/** The statements of a window, per request: calls, planning and execution time (pg_stat_statements). */
async function statementLines(stats: pg.Client, requests: number, kind: string): Promise<string[]> {
  const { rows } = await stats.query<StatementRow>(
    `select d.datname, s.calls, s.total_plan_time, s.total_exec_time, s.query
       from pg_stat_statements s join pg_database d on d.oid = s.dbid
      where s.query not like '%pg_stat_statements%'
      order by s.total_exec_time + s.total_plan_time desc limit 15`,
  );
  const per = (value: number) => (value / Math.max(1, requests)).toFixed(3).padStart(7);
  return [
    `  PostgreSQL statements per ${kind} (pg_stat_statements; background work such as outbox polls included):`,
    "    calls  plan ms  exec ms  database: query",
    ...rows.map(
      (r) =>
        `  ${per(Number(r.calls))}  ${per(r.total_plan_time)}  ${per(r.total_exec_time)}  ${r.datname}: ${r.query.replace(/\s+/g, " ").slice(0, 150)}`,
    ),
  ];
}

const line = (name: string, samples: Samples) => {
  const s = samples.summary();
  return `${name.padEnd(28)} n=${String(s.count).padStart(5)}  p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  errors ${s.errors}`;
};

async function main() {
  const otlp = traced ? await collector() : undefined;
  log(
    `starting the stack (PostgreSQL ${durability}${traced ? ", tracing to this process" : ""}${Object.keys(serviceEnv).length > 0 ? `, ${JSON.stringify(serviceEnv)}` : ""})`,
  );
  const stack = await startStack(1, {
    durability,
    cpuProf,
    ...(statements && {
      postgresSettings: [
        "shared_preload_libraries=pg_stat_statements",
        "pg_stat_statements.track_planning=on",
      ],
    }),
    env: {
      ...serviceEnv,
      ...(otlp && {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_BSP_SCHEDULE_DELAY: "200",
        OTEL_BSP_MAX_QUEUE_SIZE: "100000",
      }),
    },
  });
  const fixtures = await Fixtures.connect(stack.distributed);
  const client = new HttpClient(stack.gateways[0], 1);
  const stats = statements ? new pg.Client({ connectionString: stack.postgresUrl }) : undefined;
  const meter = new CpuMeter(() => {
    const named: Record<string, number[]> = {};
    for (const p of stack.distributed.processes) (named[p.spec.service] ??= []).push(p.pid ?? 0);
    return named;
  });
  try {
    await stats?.connect();
    await stats?.query("create extension if not exists pg_stat_statements");
    const customer = await fixtures.customer();
    const agents = await fixtures.agents(customer, 2);
    const chatId = await fixtures.groupChat(agents, "latency");
    const auth = { authorization: `Bearer ${agents[0].token}` };
    const post = (s: number) =>
      closedLoop(1, s, async (_w, i) => {
        const reply = await client.request(
          "POST",
          "/v1.0/service_agents/talk_messages",
          { chat_id: chatId, type: "normal", text: `latency ${i}` },
          auth,
        );
        return reply.status === 200;
      });
    const get = (s: number) =>
      closedLoop(1, s, async () => {
        const reply = await client.request(
          "GET",
          `/v1.0/service_agents/talk_chats/${chatId}`,
          undefined,
          auth,
        );
        return reply.status === 200;
      });
    const ready = (s: number) =>
      closedLoop(1, s, async () => (await client.request("GET", "/readyz")).status === 200);
    log("warm-up");
    await post(2);
    await get(2);
    await ready(1);
    otlp?.spans.splice(0);
    log(`measuring ${seconds} s each`);
    const results = [line("GET /readyz", await ready(seconds))];
    await stats?.query("select pg_stat_statements_reset()");
    const { result: gets, cpuMs } = await meter.during(() => profiled(cpuProf, stack, () => get(seconds)));
    results.push(line("GET talk_chats/{id}", gets));
    const count = Math.max(1, gets.summary().count);
    results.push(`  CPU ms per GET: ${cpuLine(cpuMs, count)}`);
    if (stats) results.push(...(await statementLines(stats, count, "GET")));
    await stats?.query("select pg_stat_statements_reset()");
    const { result: posts, cpuMs: postCpuMs } = await meter.during(() => post(seconds));
    results.push(line("POST talk_messages", posts));
    const postCount = Math.max(1, posts.summary().count);
    results.push(`  CPU ms per POST: ${cpuLine(postCpuMs, postCount)}`);
    if (stats) results.push(...(await statementLines(stats, postCount, "POST")));
    const lines = [...results];
    if (otlp) {
      await new Promise((r) => setTimeout(r, 1500));
      lines.push("", ...breakdown(otlp.spans, "GET"), "", ...breakdown(otlp.spans, "POST"));
    }
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    client.close();
    await stats?.end().catch(() => undefined);
    await fixtures.close().catch(() => undefined);
    log("stopping the stack");
    await stack.stop();
    otlp?.close();
  }
}

runCommand("latency", main);
