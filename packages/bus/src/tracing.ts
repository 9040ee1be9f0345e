/**
 * Spans of the bus (docs/operations.md#tracing): an RPC call is a client span whose W3C trace
 * context travels in the request's headers, and its serving a server span under it; an event
 * handled is a consumer span under the trace context its envelope carries (put there by the
 * outbox, and by its relay's publish span). While tracing is off these are the API's no-ops.
 */
import { rpcOperations, type RpcOperation } from "@talk/contracts";
import { SpanKind, type TraceCarrier, contextFrom, inSpan, traceContext } from "@talk/kit";

const rpcAttributes = (operation: RpcOperation) => ({
  "rpc.system": "talk",
  "rpc.method": operation,
  "messaging.system": "rabbitmq",
  "messaging.destination.name": rpcOperations[operation].queue,
});

/** Runs a call in a client span; `send` gets the trace context to put into the request's headers. */
export function callSpan<T>(operation: RpcOperation, send: (trace: TraceCarrier) => Promise<T>): Promise<T> {
  return inSpan(operation, { kind: SpanKind.CLIENT, attributes: rpcAttributes(operation) }, () =>
    send(traceContext()),
  );
}

/** Runs the serving of a request in a server span under the caller's. */
export function serveSpan<T>(
  operation: RpcOperation,
  trace: TraceCarrier | undefined,
  serve: () => Promise<T>,
): Promise<T> {
  return inSpan(
    operation,
    { kind: SpanKind.SERVER, parent: contextFrom(trace), attributes: rpcAttributes(operation) },
    serve,
  );
}

/** Runs an event's handler in a consumer span under the trace context of its envelope. */
export function consumeSpan<T>(
  queue: string,
  event: { type: string; id: string } & TraceCarrier,
  handle: () => Promise<T>,
): Promise<T> {
  return inSpan(
    `${queue} process`,
    {
      kind: SpanKind.CONSUMER,
      parent: contextFrom(event),
      attributes: {
        "messaging.system": "rabbitmq",
        "messaging.operation.type": "process",
        "messaging.destination.subscription.name": queue,
        "messaging.message.id": event.id,
        "talk.event.type": event.type,
      },
    },
    handle,
  );
}
