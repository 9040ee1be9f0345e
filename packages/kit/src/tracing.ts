/**
 * OpenTelemetry traces (docs/operations.md#tracing). Off by default: nothing is registered, so the
 * API's no-op tracer answers every span (no recording, no propagation, no export; a few object
 * allocations per request). `startTracing` turns it on for the process: the standard
 * `OTEL_*` variables choose the exporter (OTLP over HTTP when an endpoint is set), the sampler
 * (`OTEL_TRACES_SAMPLER`) and the batching (`OTEL_BSP_*`), read by the SDK itself; W3C
 * `traceparent` carries the context between services (HTTP headers, RPC message headers, event
 * envelopes), and AsyncLocalStorage within a process.
 *
 * Code that makes spans uses `inSpan` with the process's one tracer (`tracer()`), and
 * `traceContext`/`contextFrom` to put a span's context into a message and take it out again.
 */
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  context,
  isSpanContextValid,
  propagation,
  trace,
} from "@opentelemetry/api";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ConfigSpec } from "./config";

/**
 * The SDK's modules, loaded when tracing is turned on: a process with tracing off (the default)
 * never loads them — about 17 MB of memory and 0.2 s of start.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const sdk = () => ({
  ...(require("@opentelemetry/context-async-hooks") as typeof import("@opentelemetry/context-async-hooks")),
  ...(require("@opentelemetry/core") as typeof import("@opentelemetry/core")),
  ...(require("@opentelemetry/exporter-trace-otlp-http") as typeof import("@opentelemetry/exporter-trace-otlp-http")),
  ...(require("@opentelemetry/resources") as typeof import("@opentelemetry/resources")),
  ...(require("@opentelemetry/sdk-trace-base") as typeof import("@opentelemetry/sdk-trace-base")),
});
/* eslint-enable @typescript-eslint/no-require-imports */

export { SpanKind, SpanStatusCode };
export type { Span, Context };

/** The variables that turn tracing on; the SDK reads the other `OTEL_*` ones itself. */
export const tracingConfig = {
  OTEL_TRACES_EXPORTER: {
    kind: "enum",
    description:
      "where traces go: otlp (OTLP over HTTP), console (stdout, for a try) or none; empty (default): otlp when an OTLP endpoint is set, else none (tracing off)",
    default: "",
    values: ["", "otlp", "console", "none"],
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    kind: "url",
    description:
      "OTLP/HTTP collector base URL (e.g. http://otel-collector:4318); traces go to <url>/v1/traces. Setting it turns tracing on",
    default: "",
    protocols: ["http", "https"],
  },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
    kind: "url",
    description: "full OTLP/HTTP traces URL, instead of the base endpoint (also turns tracing on)",
    default: "",
    protocols: ["http", "https"],
  },
  OTEL_SERVICE_NAME: {
    kind: "string",
    description: "service name on the spans (default the service's own: api-gateway, push, …)",
    default: "",
  },
  OTEL_TRACES_SAMPLER: {
    kind: "enum",
    description:
      "which traces are kept (read by the SDK): empty (default) is parentbased_always_on, every trace; parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG keeps a share",
    default: "",
    values: [
      "",
      "always_on",
      "always_off",
      "traceidratio",
      "parentbased_always_on",
      "parentbased_always_off",
      "parentbased_traceidratio",
    ],
  },
  OTEL_TRACES_SAMPLER_ARG: {
    kind: "string",
    description: "the sampler's argument (read by the SDK): for the ratio samplers, the share kept, 0 to 1",
    default: "",
  },
} as const satisfies ConfigSpec;

export interface TracingConfig {
  OTEL_TRACES_EXPORTER: string;
  OTEL_EXPORTER_OTLP_ENDPOINT: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: string;
  OTEL_SERVICE_NAME: string;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Exports what is still buffered and stops. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: async () => undefined };

/** The span processors the configuration asks for; none: tracing stays off. */
export function spanProcessorsFrom(config: TracingConfig): SpanProcessor[] {
  const otlpEndpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT || config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const exporter = config.OTEL_TRACES_EXPORTER || (otlpEndpoint ? "otlp" : "none");
  if (exporter === "none") return [];
  const { BatchSpanProcessor, ConsoleSpanExporter, OTLPTraceExporter } = sdk();
  if (exporter === "otlp") return [new BatchSpanProcessor(new OTLPTraceExporter())];
  if (exporter === "console") return [new BatchSpanProcessor(new ConsoleSpanExporter())];
  return [];
}

/**
 * Turns tracing on for this process when `processors` are given (from `spanProcessorsFrom`, or a
 * test's in-memory exporter): spans of `service` (or OTEL_SERVICE_NAME) go to them.
 */
export function startTracing(service: string, processors: SpanProcessor[]): Tracing {
  if (processors.length === 0) return OFF;
  const {
    AsyncLocalStorageContextManager,
    BasicTracerProvider,
    W3CTraceContextPropagator,
    defaultResource,
    resourceFromAttributes,
  } = sdk();
  const provider = new BasicTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ "service.name": service })),
    spanProcessors: processors,
  });
  context.disable();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.disable();
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.disable();
  trace.setGlobalTracerProvider(provider);
  cachedTracer = undefined;
  return {
    enabled: true,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      cachedTracer = undefined;
      propagation.disable();
      context.disable();
    },
  };
}

/** The service name for `startTracing`: OTEL_SERVICE_NAME, else the service's own. */
export const tracedServiceName = (service: string, config: Pick<TracingConfig, "OTEL_SERVICE_NAME">) =>
  config.OTEL_SERVICE_NAME || service;

let cachedTracer: Tracer | undefined;

/** Talk's one tracer (the no-op one while tracing is off); asked for again after a (re)start. */
export const tracer = (): Tracer => (cachedTracer ??= trace.getTracer("talk"));

/** A span's W3C trace context as message fields (`traceparent`, `tracestate`). */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** The trace context of `ctx` (default: the active one) to put into a message; {} while off. */
export function traceContext(ctx: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The context a message's trace context continues (a new trace when it has none). */
export function contextFrom(carrier: TraceCarrier | undefined): Context {
  return carrier?.traceparent ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}

export interface InSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent (default: the active context). */
  parent?: Context;
}

/**
 * Runs `work` in a new span, active while it runs (so spans and logs inside are its children), and
 * ends it with the outcome: an error is recorded on it and thrown again.
 */
export async function inSpan<T>(
  name: string,
  options: InSpanOptions,
  work: (span: Span) => Promise<T> | T,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind, attributes: options.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (err) {
    failed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** A span that outlives the call that opens it (e.g. an HTTP request's, ended once answered). */
export interface OpenSpan {
  span: Span;
  /** Runs `work` with the span active. */
  within<T>(work: () => T): T;
  /** Makes the listeners later added to `emitter` run with the span active (e.g. a request body's). */
  bind<E extends NodeJS.EventEmitter>(emitter: E): E;
}

export function openSpan(name: string, options: InSpanOptions): OpenSpan {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind, attributes: options.attributes }, parent);
  const active = trace.setSpan(parent, span);
  return {
    span,
    within: (work) => context.with(active, work),
    bind: (emitter) => context.bind(active, emitter),
  };
}

/** Marks a span failed with `err`. */
export function failed(span: Span, err: unknown): void {
  if (!span.isRecording()) return;
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** Marks the active span failed (an outcome that is data, not a thrown error). */
export function activeSpanFailed(message: string): void {
  trace.getSpan(context.active())?.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** The active span's ids for a log line (pino mixin); nothing outside a recorded span. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}
