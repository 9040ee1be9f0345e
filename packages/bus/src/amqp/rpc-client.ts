/**
 * The calling side of RPC over RabbitMQ: requests go to the operation's queue through the default
 * exchange (mandatory, so a queue nobody declared fails the call at once), with an expiration equal
 * to the time left so a stale request dies in the queue; replies come back through direct reply-to.
 * Calls in flight when the connection drops fail at once with UNAVAILABLE; calls made while
 * disconnected wait for the reconnection within their timeout.
 */
import { randomUUID } from "node:crypto";
import type { ConsumeMessage, Message } from "amqplib";
import { AppError, rpcOperations, unavailable, type RpcOperation } from "@talk/contracts";
import type { Logger, Metrics } from "@talk/kit";
import type { CallOptions } from "../bus";
import { decodeReply, unwrapReply } from "../rpc-reply";
import type { AmqpConnection, Channels } from "./connection";
import type { Names } from "./names";
import { requestHeaders, stringProperty } from "./properties";
import { callSpan } from "../tracing";

const REPLY_TO = "amq.rabbitmq.reply-to";

interface PendingCall {
  generation: number;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class RpcClient {
  private readonly pending = new Map<string, PendingCall>();

  constructor(
    private readonly connection: AmqpConnection,
    private readonly names: Names,
    private readonly logger: Logger,
    private readonly metrics: Metrics | undefined,
    private readonly defaultTimeoutMs: number,
  ) {}

  /** Per connection: consume direct replies and returned (unroutable) requests on the rpc channel. */
  async setup(channels: Channels): Promise<void> {
    channels.rpc.on("return", (message: Message) => this.onReturn(message));
    await channels.rpc.consume(REPLY_TO, (message) => this.onReply(message), { noAck: true });
  }

  /** The connection of `generation` is gone: its calls will never get a reply. */
  connectionLost(generation: number): void {
    for (const [id, call] of this.pending) {
      if (call.generation === generation) {
        this.settle(
          id,
          unavailable(
            "BROKER_CONNECTION_LOST",
            "The connection to the message broker was lost during the call.",
          ),
        );
      }
    }
  }

  /** Fails every call in flight (on close). */
  failAll(error: AppError): void {
    for (const id of [...this.pending.keys()]) this.settle(id, error);
  }

  async call(operation: RpcOperation, request: unknown, options: CallOptions = {}): Promise<unknown> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    const started = process.hrtime.bigint();
    try {
      const result = await callSpan(operation, (trace) =>
        this.send(operation, request, requestHeaders(options.requestId, trace), timeoutMs, deadline),
      );
      this.observe(operation, "ok", started);
      return result;
    } catch (err) {
      this.observe(operation, err instanceof AppError ? err.status : "INTERNAL", started);
      throw err;
    }
  }

  private async send(
    operation: RpcOperation,
    request: unknown,
    headers: Record<string, string>,
    timeoutMs: number,
    deadline: number,
  ) {
    const timeoutError = () =>
      unavailable("RPC_TIMEOUT", `The ${operation} service did not answer within ${timeoutMs} ms.`);
    const channels = await this.connection.whenReady(
      deadline,
      "RPC_TIMEOUT",
      `The message broker was unreachable for ${timeoutMs} ms.`,
    );
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw timeoutError();
    const correlationId = randomUUID();
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(correlationId, timeoutError()), remaining);
      this.pending.set(correlationId, { generation: channels.generation, resolve, reject, timer });
    });
    try {
      channels.rpc.publish(
        "",
        this.names.queue(rpcOperations[operation].queue),
        Buffer.from(JSON.stringify(request)),
        {
          correlationId,
          replyTo: REPLY_TO,
          type: operation,
          expiration: String(Math.max(1, remaining)),
          contentType: "application/json",
          mandatory: true,
          headers,
        },
      );
    } catch (err) {
      this.logger.warn({ operation, err }, "Could not send an RPC request");
      this.settle(
        correlationId,
        unavailable("BROKER_CONNECTION_LOST", "The connection to the message broker was lost."),
      );
    }
    return reply;
  }

  private onReply(message: ConsumeMessage | null): void {
    if (!message) return;
    const id = stringProperty(message.properties.correlationId);
    const call = id ? this.pending.get(id) : undefined;
    if (!id || !call) return; // a late reply to a call that already timed out
    this.pending.delete(id);
    clearTimeout(call.timer);
    try {
      call.resolve(unwrapReply(decodeReply(message.content.toString("utf8"))));
    } catch (err) {
      call.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private onReturn(message: Message): void {
    const id = stringProperty(message.properties.correlationId);
    if (!id) return;
    const operation = stringProperty(message.properties.type) ?? "the operation";
    this.settle(
      id,
      unavailable("RPC_NO_SERVER", `No service has ever served ${operation}: its queue does not exist.`),
    );
  }

  private settle(id: string, error: Error): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    clearTimeout(call.timer);
    call.reject(error);
  }

  private observe(operation: RpcOperation, outcome: string, started: bigint): void {
    this.metrics?.rpcClientDuration.observe(
      { operation, outcome },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
  }
}
