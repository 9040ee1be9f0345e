/**
 * Composition root of the push service: the event stream read into the index, the hub of
 * connections with its live fan-out, replays from cursors, client commands, and the WebSocket
 * server that an HTTP server (its own, or the embedded system's single one) hands upgrades to.
 * Start: declare and read the stream until caught up, then accept sockets. Stop: close the sockets
 * (1012), stop reading.
 */
import type { Server } from "node:http";
import type { Bus, StreamSpec } from "@talk/bus";
import { PUSH_EVENT_STREAM } from "@talk/contracts";
import type { Logger, Metrics } from "@talk/kit";
import { ChatMembership } from "./membership";
import { PushMetrics } from "./metrics";
import type { PushSettings } from "./settings";
import { ClientCommands } from "./socket/client-commands";
import { Hub } from "./socket/hub";
import { PushServer } from "./socket/push-server";
import { EventLog } from "./stream/event-log";
import { Replays } from "./stream/replay";

export interface PushDeps {
  bus: Bus;
  logger: Logger;
  metrics: Metrics;
  settings: PushSettings;
}

export interface PushService {
  /** Serves `/v1.0/ws` upgrades of this HTTP server. */
  attach(server: Server): void;
  /** True once caught up with the event stream (and until stopped). */
  isReady(): boolean;
  /** Open WebSocket connections. */
  connections(): number;
  stop(): Promise<void>;
}

export async function startPush({ bus, logger, metrics, settings }: PushDeps): Promise<PushService> {
  const log = logger.child({ component: "push" });
  const pushMetrics = new PushMetrics(metrics);
  const spec: StreamSpec = {
    ...PUSH_EVENT_STREAM,
    maxAgeSeconds: settings.stream.maxAgeSeconds,
    maxBytes: settings.stream.maxBytes,
    segmentBytes: settings.stream.segmentBytes,
  };
  const membership = new ChatMembership(bus, log.child({ part: "membership" }), settings.rpcTimeoutMs);
  const hub = new Hub(membership, pushMetrics);
  const events = new EventLog(bus, spec, hub, pushMetrics, log.child({ part: "event-log" }), {
    gapToleranceMs: settings.gapToleranceMs,
    // RabbitMQ drops whole segments once all their entries are older than the max age: keep a margin
    horizonMs: (settings.stream.maxAgeSeconds + 3600) * 1000,
  });
  const replays = new Replays(bus, events, membership, settings, pushMetrics, log.child({ part: "replay" }));
  const commands = new ClientCommands(events, replays, membership, settings.maxTopics);
  let stopped = false;
  const server = new PushServer(settings, hub, commands, () => events.ready && !stopped, pushMetrics, log);
  await events.start();
  log.info({ head: events.head?.offset ?? null }, "push serving");
  return {
    attach: (http) => server.attach(http),
    isReady: () => events.ready && !stopped,
    connections: () => hub.size,
    async stop() {
      stopped = true;
      await server.close();
      await events.stop();
    },
  };
}
