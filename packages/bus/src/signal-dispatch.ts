/**
 * Signals on both implementations: encoding (checked against the schema first) and the receiving
 * side (decode, check, hand to the listener; what goes wrong is logged, since nothing is retried).
 */
import { assertValid, signalKey, signalSchema, type Signal } from "@talk/contracts";
import type { Logger } from "@talk/kit";
import type { SignalHandler } from "./bus";

/** The signal's routing key and body; throws INVALID_ARGUMENT when it breaks the schema. */
export function encodeSignal(signal: Signal): { key: string; body: string } {
  assertValid(signalSchema, signal, "signal");
  return { key: signalKey(signal), body: JSON.stringify(signal) };
}

export function dispatchSignal(body: string, handler: SignalHandler, logger: Logger): void {
  let signal: Signal;
  try {
    const value: unknown = JSON.parse(body);
    assertValid<Signal>(signalSchema, value, "signal");
    signal = value;
  } catch (err) {
    logger.warn({ err, body: body.slice(0, 200) }, "Dropping a message that is not a signal");
    return;
  }
  try {
    handler(signal);
  } catch (err) {
    logger.error({ err, type: signal.type }, "A signal listener failed");
  }
}
