/**
 * The server side of RPC, shared by both implementations: finds the handler of a request,
 * validates the request, runs the handler and turns its outcome into a reply. It never throws:
 * every failure becomes an error reply (errors are data).
 */
import {
  AppError,
  assertValid,
  isRpcOperation,
  rpcOperations,
  type ErrorBody,
  type ErrorReason,
  type RpcOperation,
} from "@talk/contracts";
import { type Logger, type Metrics, type TraceCarrier, activeSpanFailed } from "@talk/kit";
import type { CallContext } from "./bus";
import type { RpcReply } from "./rpc-reply";
import { sleep } from "./util";
import { serveSpan } from "./tracing";

/** An error reply marks the server span failed (errors are data, so nothing is thrown through it). */
const failedReply = (error: { status: string; reason: string }) =>
  activeSpanFailed(`${error.status} ${error.reason}`);

/** Pause before a request this process cannot serve goes back to the queue, so it cannot spin. */
const REQUEUE_DELAY_MS = 50;

/** A handler with its request and response types erased (the dispatcher validates both). */
export type AnyRpcHandler = (request: unknown, context: CallContext) => Promise<unknown>;

export interface IncomingRequest {
  /** The queue it came from. */
  queue: string;
  /** The operation name (message `type`), unchecked. */
  operation: unknown;
  /** The raw body. */
  body: string;
  requestId?: string;
  /** The caller's W3C trace context (from the request's headers). */
  trace?: TraceCarrier;
}

/** What to do with a request: reply (then ack), or put it back for another server. */
export type DispatchOutcome = { reply: RpcReply } | { requeue: true };

const invalidRequest = (reason: ErrorReason, message: string): DispatchOutcome => ({
  reply: { ok: false, error: { status: "INVALID_ARGUMENT", reason, message } },
});

export class RpcDispatcher {
  private readonly handlers = new Map<RpcOperation, AnyRpcHandler>();

  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics | undefined,
    private readonly validateResponses: boolean,
  ) {}

  /** Registers a handler; returns false when the operation already had one. */
  register(operation: RpcOperation, handler: AnyRpcHandler): boolean {
    if (this.handlers.has(operation)) return false;
    this.handlers.set(operation, handler);
    return true;
  }

  unregister(operation: RpcOperation): void {
    this.handlers.delete(operation);
  }

  /** Queues that have at least one registered operation. */
  queues(): Set<string> {
    return new Set([...this.handlers.keys()].map((op) => rpcOperations[op].queue));
  }

  async dispatch(request: IncomingRequest): Promise<DispatchOutcome> {
    const { operation } = request;
    if (!isRpcOperation(operation)) {
      this.logger.warn({ queue: request.queue, operation }, "RPC request for an unknown operation");
      return invalidRequest("UNKNOWN_OPERATION", `Unknown operation ${JSON.stringify(operation ?? null)}.`);
    }
    if (rpcOperations[operation].queue !== request.queue) {
      return invalidRequest("WRONG_QUEUE", `Operation ${operation} is not served on ${request.queue}.`);
    }
    const handler = this.handlers.get(operation);
    // A known operation of this queue that this process does not serve (yet): another server may.
    if (!handler) {
      await sleep(REQUEUE_DELAY_MS);
      return { requeue: true };
    }
    const started = process.hrtime.bigint();
    const reply = await serveSpan(operation, request.trace, async () => {
      const answer = await this.run(operation, handler, request);
      if (!answer.ok) failedReply(answer.error);
      return answer;
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.metrics?.rpcServerDuration.observe(
      { operation, outcome: reply.ok ? "ok" : reply.error.status },
      seconds,
    );
    return { reply };
  }

  private async run(
    operation: RpcOperation,
    handler: AnyRpcHandler,
    request: IncomingRequest,
  ): Promise<RpcReply> {
    const spec = rpcOperations[operation];
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      this.logger.warn({ operation, requestId: request.requestId }, "RPC request body is not JSON");
      return {
        ok: false,
        error: {
          status: "INVALID_ARGUMENT",
          reason: "MALFORMED_REQUEST",
          message: "The request body is not valid JSON.",
        },
      };
    }
    try {
      assertValid(spec.request, body, "request");
      const result = await handler(body, { operation, requestId: request.requestId });
      if (this.validateResponses) {
        try {
          assertValid(spec.response, result, "response");
        } catch (err) {
          this.logger.error(
            { operation, requestId: request.requestId, err },
            "RPC handler returned a result that breaks the contract",
          );
          return {
            ok: false,
            error: {
              status: "INTERNAL",
              reason: "INVALID_RESPONSE",
              message: "The service produced an invalid response.",
            },
          };
        }
      }
      return { ok: true, result: result === undefined ? null : result };
    } catch (err) {
      return {
        ok: false,
        error: errorReplyOf(err, this.logger, { operation, requestId: request.requestId }),
      };
    }
  }
}

/**
 * A handler's failure as the error of its reply (errors are data): an AppError as it is, a backing
 * service out of reach as UNAVAILABLE (logged as a warning), anything else as INTERNAL (logged as
 * an error). Also for handlers that answer many requests in one reply, each with its own outcome.
 */
export function errorReplyOf(
  err: unknown,
  logger: Logger,
  fields: { operation: string; requestId?: string },
): ErrorBody {
  if (err instanceof AppError) return err.toBody();
  if (isUnreachableDependency(err)) {
    logger.warn({ ...fields, err }, "RPC handler could not reach its database");
    return {
      status: "UNAVAILABLE",
      reason: "DEPENDENCY_UNAVAILABLE",
      message: "A backing service is unavailable; retry shortly.",
    };
  }
  logger.error({ ...fields, err }, "RPC handler failed");
  return { status: "INTERNAL", reason: "INTERNAL", message: "An unexpected error occurred." };
}

/** Connection-level failures of a backing service (e.g. PostgreSQL restarting): a 503, not a bug. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08006",
  "25006", // read_only_sql_transaction: the session's server became a standby (a failover)
]);

function isUnreachableDependency(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && UNREACHABLE_CODES.has(code)) return true;
  // pg's own words for a session its server dropped (a restart, or a primary killed under a failover)
  return /Timeout acquiring a connection|Connection terminated|encountered a connection error and is not queryable/i.test(
    err.message,
  );
}
