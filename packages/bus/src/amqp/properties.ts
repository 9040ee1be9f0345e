/** Reading AMQP message properties (typed `any` by amqplib) without trusting them. */
import type { TraceCarrier } from "@talk/kit";
import type { Message } from "amqplib";

export const REQUEST_ID_HEADER = "x-request-id";

export function stringProperty(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function headerOf(message: Message, name: string): string | undefined {
  const headers: unknown = message.properties.headers;
  if (typeof headers !== "object" || headers === null) return undefined;
  const value: unknown = (headers as Record<string, unknown>)[name];
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return undefined;
}

export function requestIdOf(message: Message): string | undefined {
  return headerOf(message, REQUEST_ID_HEADER);
}

/** The W3C trace context of a message (`traceparent`, `tracestate` headers). */
export function traceOf(message: Message): TraceCarrier {
  const traceparent = headerOf(message, "traceparent");
  const tracestate = headerOf(message, "tracestate");
  return { ...(traceparent && { traceparent }), ...(tracestate && { tracestate }) };
}

/** The headers of an RPC request: its request id and trace context. */
export function requestHeaders(requestId: string | undefined, trace: TraceCarrier): Record<string, string> {
  return { ...requestIdHeaders(requestId), ...trace };
}

export function requestIdHeaders(requestId: string | undefined): Record<string, string> | undefined {
  return requestId ? { [REQUEST_ID_HEADER]: requestId } : undefined;
}
