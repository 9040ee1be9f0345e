/**
 * Sends that arrive together go to message-manager in one request (`message.createMany`): under
 * load one broker message, its delivery, acknowledgement and reply carry several sends instead of
 * one each. At most `maxCalls` calls are in flight; a send that finds fewer is sent at once (alone,
 * `message.create`: the latency of a send without load is unchanged), and the sends that arrive
 * while `maxCalls` are in flight are gathered and go together as soon as one of them answers, or
 * after `maxWaitMs` at the latest (a slow call does not hold every send behind it).
 *
 * Each send keeps its own outcome (its message, or its error with its status, reason and rate
 * limit), its Idempotency-Key, its request id and its trace (its event continues it), and its own
 * deadline: a send that waited in the gathering has that much less time for its reply, and one whose
 * time ran out while it waited fails as a call without a reply does (503 RPC_TIMEOUT). A call that
 * fails as a whole (the broker, a timeout) fails each of its sends with that error.
 */
import type { Bus } from "@talk/bus";
import {
  AppError,
  type ErrorBody,
  MAX_SENDS_PER_CALL,
  type Message,
  type RpcTypes,
  isErrorStatus,
  unavailable,
} from "@talk/contracts";
import { type TraceCarrier, commonConfig, traceContext } from "@talk/kit";

type MessageCreateRequest = RpcTypes["message.create"]["request"];
type Reply = RpcTypes["message.createMany"]["response"]["replies"][number];

interface Gathered {
  request: MessageCreateRequest;
  requestId?: string;
  trace: TraceCarrier;
  deadline: number;
  resolve(message: Message): void;
  reject(error: unknown): void;
}

export interface SendBatchingOptions {
  /** The bus's RPC timeout: each send's time for its reply, counted from its arrival. */
  timeoutMs?: number;
  /** Calls in flight at most before sends are gathered (0: no limit, never gathered). */
  maxCalls?: number;
  /**
   * Longest a send waits gathered (ms): then the gathered sends go even though the calls in flight
   * have not answered (one slow send — e.g. one whose sender message-manager must first confirm
   * with chat-manager — holds its call's reply, not every send behind it for longer than this).
   */
  maxWaitMs?: number;
}

export class SendBatcher {
  private gathered: Gathered[] = [];
  private inFlight = 0;
  private readonly timeoutMs: number;
  private readonly maxCalls: number;
  private readonly maxWaitMs: number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly bus: Bus,
    options: SendBatchingOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? commonConfig.RPC_TIMEOUT_MS.default;
    this.maxCalls = options.maxCalls || (options.maxCalls === 0 ? Infinity : 1);
    this.maxWaitMs = options.maxWaitMs ?? 50;
  }

  send(request: MessageCreateRequest, requestId?: string): Promise<Message> {
    if (this.inFlight < this.maxCalls) {
      this.inFlight++;
      return this.bus.call("message.create", request, { requestId }).finally(() => this.answered());
    }
    return new Promise<Message>((resolve, reject) => {
      const deadline = Date.now() + this.timeoutMs;
      this.gathered.push({ request, requestId, trace: traceContext(), deadline, resolve, reject });
      this.timer ??= setTimeout(() => this.flush(true), this.maxWaitMs);
    });
  }

  private answered(): void {
    this.inFlight--;
    this.flush(false);
  }

  /** Sends what was gathered: while fewer calls than the limit are in flight, or all of it (`overdue`). */
  private flush(overdue: boolean): void {
    while ((overdue || this.inFlight < this.maxCalls) && this.gathered.length > 0)
      this.call(this.gathered.splice(0, MAX_SENDS_PER_CALL));
    if (this.gathered.length === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private call(gathered: Gathered[]): void {
    const now = Date.now();
    const sends = gathered.filter((send) => {
      if (send.deadline > now) return true;
      send.reject(
        unavailable("RPC_TIMEOUT", `The message.create service did not answer within ${this.timeoutMs} ms.`),
      );
      return false;
    });
    if (sends.length === 0) return;
    const timeoutMs = Math.min(...sends.map((send) => send.deadline)) - now;
    this.inFlight++;
    if (sends.length === 1) {
      const [one] = sends;
      this.bus
        .call("message.create", one.request, { requestId: one.requestId, timeoutMs })
        .then(one.resolve, one.reject)
        .finally(() => this.answered());
      return;
    }
    this.bus
      .call(
        "message.createMany",
        {
          sends: sends.map(({ request, requestId, trace }) => ({
            ...request,
            ...(requestId !== undefined && { request_id: requestId }),
            ...trace,
          })),
        },
        { requestId: sends[0].requestId, timeoutMs },
      )
      .then(
        ({ replies }) =>
          sends.forEach((send, i) => {
            const reply = replies[i];
            if (reply?.ok) send.resolve(reply.result);
            else send.reject(errorOf(reply));
          }),
        (error: unknown) => sends.forEach((send) => send.reject(error)),
      )
      .finally(() => this.answered());
  }
}

/** A send's error reply as the error it is (an unknown status, or no reply at all: a malformed reply). */
function errorOf(reply: Reply | undefined): AppError {
  if (reply && !reply.ok && isErrorStatus(reply.error.status))
    return AppError.fromBody(reply.error as ErrorBody);
  return new AppError("INTERNAL", "MALFORMED_REPLY", "message-manager sent a malformed reply to a send.");
}
