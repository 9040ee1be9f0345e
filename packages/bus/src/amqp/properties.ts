/** Reading AMQP message properties (typed `any` by amqplib) without trusting them. */
import type { Message } from "amqplib";

export const REQUEST_ID_HEADER = "x-request-id";

export function stringProperty(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

export function requestIdOf(message: Message): string | undefined {
  const headers: unknown = message.properties.headers;
  if (typeof headers !== "object" || headers === null) return undefined;
  const value: unknown = (headers as Record<string, unknown>)[REQUEST_ID_HEADER];
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return undefined;
}

export function requestIdHeaders(requestId: string | undefined): Record<string, string> | undefined {
  return requestId ? { [REQUEST_ID_HEADER]: requestId } : undefined;
}
