/**
 * Structured JSON logs (pino). One root logger per process, one child per component. A line logged
 * inside a traced span carries its `trace_id` and `span_id` (docs/operations.md#tracing).
 */
import pino, { type Logger } from "pino";
import { traceLogFields } from "./tracing";

export type { Logger };

export function createLogger(options: {
  service: string;
  level?: string;
  /** Where the JSON lines go (default stdout), e.g. a test that reads them back. */
  destination?: pino.DestinationStream;
}): Logger {
  const settings: pino.LoggerOptions = {
    name: options.service,
    level: options.level ?? "info",
    base: { service: options.service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: traceLogFields,
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** A logger that drops everything, for tests and libraries used without one. */
export const silentLogger: Logger = pino({ level: "silent" });
