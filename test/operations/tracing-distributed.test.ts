/**
 * Tracing across the processes of the distributed stack (docs/operations.md#tracing): every
 * service exports its spans over OTLP/HTTP, configured by the standard variables alone
 * (OTEL_EXPORTER_OTLP_ENDPOINT), to a collector this test plays; one send is one trace across
 * api-gateway, message-manager (its RPC serving and its outbox relay) and push.
 */
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describeNeeding, waitFor } from "@talk/testkit";
import { startDistributedStack, useStack } from "../support/stacks";
import { type CollectedSpan, callerTrace, sendPath, tracedSend } from "./tracing.suite";

/** OTLP span kinds (SPAN_KIND_*). */
const KINDS = ["internal", "internal", "server", "client", "producer", "consumer"] as const;

interface OtlpValue {
  stringValue?: string;
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: OtlpValue }[] };
    scopeSpans?: {
      spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number }[];
    }[];
  }[];
}

/** An OTLP/HTTP (JSON) traces receiver: what the services export, as collected spans. */
function otlpCollector(): { spans: CollectedSpan[]; start(): Promise<string>; stop(): Promise<void> } {
  const spans: CollectedSpan[] = [];
  let server: Server | undefined;
  return {
    spans,
    start: () =>
      new Promise((resolve) => {
        server = createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on("data", (chunk: Buffer) => chunks.push(chunk));
          req.on("end", () => {
            if (req.url === "/v1/traces" && req.headers["content-type"]?.includes("json")) {
              const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpExport;
              for (const resource of body.resourceSpans ?? []) {
                const service =
                  resource.resource?.attributes?.find((a) => a.key === "service.name")?.value.stringValue ??
                  "";
                for (const scope of resource.scopeSpans ?? [])
                  for (const span of scope.spans ?? [])
                    spans.push({
                      service,
                      name: span.name,
                      kind: KINDS[span.kind] ?? "internal",
                      traceId: span.traceId,
                      spanId: span.spanId,
                      ...(span.parentSpanId && { parentSpanId: span.parentSpanId }),
                    });
              }
            }
            res.writeHead(200, { "content-type": "application/json" }).end("{}");
          });
        });
        server.listen(0, "127.0.0.1", () =>
          resolve(`http://127.0.0.1:${(server!.address() as AddressInfo).port}`),
        );
      }),
    stop: () =>
      new Promise((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        server.closeAllConnections(); // the exporters' keep-alive connections
      }),
  };
}

describeNeeding(["rabbitmq", "postgres"])("tracing (distributed, spans over OTLP)", () => {
  const collector = otlpCollector();
  const stack = useStack(async () =>
    startDistributedStack({
      replicas: 1,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: await collector.start(), OTEL_BSP_SCHEDULE_DELAY: "100" },
    }),
  );
  afterAll(() => collector.stop());

  it("makes one send one trace across api-gateway, message-manager (serving and relay) and push", async () => {
    const caller = callerTrace();
    await tracedSend(stack(), caller.traceparent);
    const path = await waitFor(() => {
      const found = sendPath(collector.spans, caller);
      return found.push ? found : undefined;
    });
    expect([path.http, path.call, path.serve, path.publish, path.push].map((s) => s?.service)).toEqual([
      "api-gateway",
      "api-gateway",
      "message-manager",
      "message-manager",
      "push",
    ]);
  });
});
