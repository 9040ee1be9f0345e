import { Writable } from "node:stream";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createLogger } from "./logger";
import { SpanKind, contextFrom, inSpan, spanProcessorsFrom, startTracing, traceContext } from "./tracing";

const CONFIG = {
  OTEL_TRACES_EXPORTER: "",
  OTEL_EXPORTER_OTLP_ENDPOINT: "",
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "",
  OTEL_SERVICE_NAME: "",
};
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

function logLines() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ service: "test", destination }) };
}

describe("tracing", () => {
  it("is off unless an exporter or an OTLP endpoint is configured", () => {
    expect(spanProcessorsFrom(CONFIG)).toEqual([]);
    expect(
      spanProcessorsFrom({
        ...CONFIG,
        OTEL_TRACES_EXPORTER: "none",
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
      }),
    ).toEqual([]);
    expect(
      spanProcessorsFrom({ ...CONFIG, OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }),
    ).toHaveLength(1);
    expect(
      spanProcessorsFrom({ ...CONFIG, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/v1/traces" }),
    ).toHaveLength(1);
    expect(spanProcessorsFrom({ ...CONFIG, OTEL_TRACES_EXPORTER: "console" })).toHaveLength(1);
    expect(startTracing("test", []).enabled).toBe(false);
  });

  it("while off, records nothing, puts no trace context into messages and no ids into logs", async () => {
    const { lines, logger } = logLines();
    const carried = await inSpan("work", { kind: SpanKind.SERVER }, (span) => {
      logger.info("inside");
      return { recording: span.isRecording(), carrier: traceContext() };
    });
    expect(carried).toEqual({ recording: false, carrier: {} });
    expect(lines[0]).not.toHaveProperty("trace_id");
  });

  describe("while on", () => {
    const exporter = new InMemorySpanExporter();
    let tracing: ReturnType<typeof startTracing>;
    beforeAll(() => {
      tracing = startTracing("test-service", [new SimpleSpanProcessor(exporter)]);
    });
    afterAll(() => tracing.shutdown());
    beforeEach(() => exporter.reset());

    it("carries a span's context in a message and continues it on the other side (W3C traceparent)", async () => {
      const carrier = await inSpan("send", { kind: SpanKind.PRODUCER }, () => traceContext());
      expect(carrier.traceparent).toMatch(TRACEPARENT);
      await inSpan("receive", { kind: SpanKind.CONSUMER, parent: contextFrom(carrier) }, () => undefined);
      const [send, receive] = exporter.getFinishedSpans();
      expect(receive!.spanContext().traceId).toBe(send!.spanContext().traceId);
      expect(receive!.parentSpanContext?.spanId).toBe(send!.spanContext().spanId);
      expect(send!.resource.attributes["service.name"]).toBe("test-service");
    });

    it("starts a new trace for a message without a trace context", async () => {
      await inSpan("receive", { parent: contextFrom({}) }, () => undefined);
      expect(exporter.getFinishedSpans()[0]!.parentSpanContext).toBeUndefined();
    });

    it("writes the trace and span ids into the lines logged inside a span", async () => {
      const { lines, logger } = logLines();
      await inSpan("work", {}, () => logger.child({ component: "x" }).info("inside"));
      logger.info("outside");
      const [span] = exporter.getFinishedSpans();
      expect(lines[0]).toMatchObject({
        trace_id: span!.spanContext().traceId,
        span_id: span!.spanContext().spanId,
      });
      expect(lines[1]).not.toHaveProperty("trace_id");
    });

    it("records a failure on the span and throws it on", async () => {
      await expect(inSpan("fails", {}, () => Promise.reject(new Error("broken")))).rejects.toThrow("broken");
      const [span] = exporter.getFinishedSpans();
      expect(span!.status).toMatchObject({ code: 2, message: "broken" });
      expect(span!.events.map((e) => e.name)).toEqual(["exception"]);
    });
  });
});
