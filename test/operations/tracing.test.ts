/**
 * Tracing in the embedded process (docs/operations.md#tracing): with spans collected in memory,
 * one send is one trace from the caller's span to push's, through the gateway, the RPC call,
 * message-manager and the outbox relay.
 */
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { type Tracing, startTracing } from "@talk/kit";
import { waitFor } from "@talk/testkit";
import { startEmbeddedStack, useStack } from "../support/stacks";
import { type CollectedSpan, callerTrace, sendPath, tracedSend } from "./tracing.suite";

const KINDS = ["internal", "server", "client", "producer", "consumer"] as const;

const collected = (span: ReadableSpan): CollectedSpan => ({
  service: String(span.resource.attributes["service.name"]),
  name: span.name,
  kind: KINDS[span.kind],
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  parentSpanId: span.parentSpanContext?.spanId,
});

describe("tracing (embedded, spans in memory)", () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(() => {
    tracing = startTracing("talk", [new SimpleSpanProcessor(exporter)]);
  });
  afterAll(() => tracing.shutdown());
  const stack = useStack(() => startEmbeddedStack());

  it("makes one send one trace: caller → gateway → message.create call and serving → relay publish → push", async () => {
    const caller = callerTrace();
    await tracedSend(stack(), caller.traceparent);
    const path = await waitFor(() => {
      const found = sendPath(exporter.getFinishedSpans().map(collected), caller);
      return found.push ? found : undefined;
    });
    expect(path.http?.name).toBe("POST /v1.0/service_agents/talk_messages");
    expect(path.push).toMatchObject({ service: "talk", traceId: caller.traceId });
    // nothing of the send started a trace of its own
    const roots = path.inTrace.filter((s) => s.parentSpanId === caller.spanId);
    expect(roots.map((s) => s.name)).toEqual(["POST /v1.0/service_agents/talk_messages"]);
  });

  it("starts a trace of its own for a request without a caller.s trace context, with its method, status and request id", async () => {
    exporter.reset();
    const res = await stack().api.get("/service_agents/talk_chats"); // no token: 401
    expect(res.status).toBe(401);
    const span = await waitFor(() =>
      exporter
        .getFinishedSpans()
        .find((s) => s.name.startsWith("GET ") && s.attributes["http.response.status_code"] === 401),
    );
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.attributes).toMatchObject({
      "http.request.method": "GET",
      "talk.request_id": res.headers.get("x-request-id"),
    });
  });
});
