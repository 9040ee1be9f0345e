/**
 * Admission control: a gateway replica refuses what it cannot serve in time at once — 503
 * OVERLOADED with `Retry-After: 1`, before the body is read or a service is called — instead of
 * queueing it behind work it cannot finish. Three reasons, each counted
 * (`talk_http_requests_shed_total{reason}`):
 *
 * - `in_flight`: the replica already serves `MAX_REQUESTS_IN_FLIGHT` requests;
 * - `queue`: it serves its adaptive limit — lowered while the latency of what it admits rises beyond
 *   `OVERLOAD_LATENCY_TOLERANCE_PERCENT` of its long-run latency: requests queue behind it
 *   (admission/gradient-limit.ts);
 * - `event_loop`: its own event loop runs late (`OVERLOAD_EVENT_LOOP_LAG_MS`) while busy with its own
 *   work (`OVERLOAD_EVENT_LOOP_BUSY_PERCENT`, admission/event-loop-lag.ts): it is the bottleneck.
 *
 * Under twice the load it can serve, the accepted requests keep their latency and the excess learns
 * at once to retry (docs/operations.md, "Overload").
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ERROR_HTTP_STATUS, type ErrorBody } from "@talk/contracts";
import { adoptRequestId } from "@talk/kit";
import type { NextFunction, Request, Response } from "express";
import { EventLoopLag } from "../admission/event-loop-lag";
import { GradientLimit } from "../admission/gradient-limit";
import type { GatewayMetrics, ShedReason } from "../metrics";

export interface AdmissionSettings {
  maxRequestsInFlight: number;
  /** A window's latency tolerated as a share (%) of the long-run latency; 0: the limit stays fixed. */
  overloadLatencyTolerancePercent: number;
  overloadEventLoopLagMs: number;
  /** The event-loop rule also needs the loop this busy (%, default 90; 0: lateness alone). */
  overloadEventLoopBusyPercent?: number;
}

const DEFAULT_BUSY_PERCENT = 90;

/** Windows in which the adaptive limit judges whether requests queue (600 of them: its long run). */
const WINDOW_MS = 100;

/** The API's requests: /v1.0 and below (express mounts it case-insensitively). */
const API_PATH = /^\/v1\.0(?:[/?]|$)/i;

/** Marks a request admission control has judged already (the gate; the middleware then passes it on). */
const JUDGED = Symbol("admission judged");
type Judged = IncomingMessage & { [JUDGED]?: true };

const refusal: Record<ShedReason, (limit: number) => string> = {
  in_flight: (limit) => `This gateway is serving its limit of ${limit} requests at once; retry in a second.`,
  queue: (limit) =>
    `Requests are queueing behind this gateway (their latency rose), so it serves only ${limit} at once for now; retry in a second.`,
  event_loop: () => "This gateway is too busy to answer in time; retry in a second.",
};

export class Admission {
  private inFlight = 0;
  private readonly adaptive?: GradientLimit;
  private readonly lag?: EventLoopLag;

  constructor(
    private readonly settings: AdmissionSettings,
    private readonly metrics: GatewayMetrics,
  ) {
    const max = settings.maxRequestsInFlight;
    if (settings.overloadLatencyTolerancePercent > 0)
      this.adaptive = new GradientLimit(
        {
          max,
          min: Math.max(1, Math.ceil(max / 8)),
          tolerance: settings.overloadLatencyTolerancePercent / 100,
          windowMs: WINDOW_MS,
        },
        performance.now(),
      );
    if (settings.overloadEventLoopLagMs > 0) this.lag = new EventLoopLag().start();
    metrics.admissionLimit.set(this.adaptive?.limit ?? max);
  }

  /** Why the next request would be refused now, if it would. */
  private shedReason(): ShedReason | undefined {
    if (this.inFlight >= this.settings.maxRequestsInFlight) return "in_flight";
    if (this.adaptive && this.inFlight >= this.adaptive.limit) return "queue";
    if (
      this.lag?.overloaded(
        this.settings.overloadEventLoopLagMs,
        (this.settings.overloadEventLoopBusyPercent ?? DEFAULT_BUSY_PERCENT) / 100,
      )
    )
      return "event_loop";
    return undefined;
  }

  /**
   * The server's first step, before express (serve's `gate`): an API request is refused here and
   * now — the SPEC's error envelope with its request id, no access log line or trace span (the
   * refusal is counted in `talk_http_requests_shed_total`; under overload those lines would be most
   * of the log), no body read, no express request set up or route matched — so the excess costs the
   * replica as little CPU as an HTTP answer can. True when it answered (refused) the request.
   */
  readonly gate = (req: IncomingMessage, res: ServerResponse): boolean =>
    API_PATH.test(req.url ?? "") && this.judge(req, res);

  /**
   * The same as the router's first middleware, for an app served without the gate (the gateway
   * alone in an express app, in tests); a request the gate judged passes on.
   */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if ((req as Judged)[JUDGED] || !this.judge(req, res)) next();
  };

  /** Refuses the request (true) or admits it and counts it in flight until its answer ends (false). */
  private judge(req: IncomingMessage, res: ServerResponse): boolean {
    (req as Judged)[JUDGED] = true;
    const reason = this.shedReason();
    if (reason) {
      this.metrics.shed.inc({ reason });
      const limit = reason === "queue" ? (this.adaptive?.limit ?? 0) : this.settings.maxRequestsInFlight;
      const incoming = req.headers["x-request-id"];
      const requestId = adoptRequestId(Array.isArray(incoming) ? incoming[0] : incoming);
      const body: ErrorBody = {
        status: "UNAVAILABLE",
        reason: "OVERLOADED",
        message: refusal[reason](limit),
      };
      res.writeHead(ERROR_HTTP_STATUS.UNAVAILABLE, {
        "Content-Type": "application/json; charset=utf-8",
        "Retry-After": "1",
        "X-Request-Id": requestId,
        "X-Content-Type-Options": "nosniff",
      });
      res.end(JSON.stringify({ error: { ...body, request_id: requestId } }));
      return true;
    }
    this.metrics.inFlight.set(++this.inFlight);
    this.adaptive?.admitted(this.inFlight);
    const admitted = performance.now();
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      this.metrics.inFlight.set(--this.inFlight);
      if (!this.adaptive) return;
      const now = performance.now();
      this.adaptive.completed(now - admitted, now);
      this.metrics.admissionLimit.set(this.adaptive.limit);
    };
    res.once("finish", release);
    res.once("close", release);
    return false;
  }

  stop(): void {
    this.lag?.stop();
  }
}
