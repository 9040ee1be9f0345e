/**
 * Composition root of the push service: the event stream read into the index, the hub of
 * connections with its live fan-out, replays from cursors, client commands, and the WebSocket
 * server that an HTTP server (its own, or the embedded system's single one) hands upgrades to.
 * Start: declare and read the stream until caught up, then accept sockets. Stop: close the sockets
 * (1012), stop reading.
 */
import type { StreamSpec } from "@talk/bus";
import { PUSH_EVENT_STREAM } from "@talk/contracts";
import type { ServiceDefinition, ServiceDeps, Started } from "@talk/host";
import { pushConfig } from "./config";
import { ChatMembership } from "./membership";
import { PresenceRelay } from "./presence/presence-relay";
import { ReplicaPresence } from "./presence/replica-presence";
import { TypingRelay } from "./typing/typing-relay";
import { PushMetrics } from "./metrics";
import { type PushSettings, pushSettings } from "./settings";
import { ClientCommands } from "./socket/client-commands";
import { Hub } from "./socket/hub";
import { PushServer } from "./socket/push-server";
import { EventLog } from "./stream/event-log";
import { Replays } from "./stream/replay";

export interface PushDeps extends ServiceDeps {
  settings: PushSettings;
}

/** `attach` serves `/v1.0/ws` upgrades of the HTTP server; `detach` closes the sockets (1012). */
export interface PushService extends Required<Pick<Started, "mount" | "attach" | "detach" | "stop">> {
  checks: NonNullable<Started["checks"]>;
  /** True once caught up with the event stream (and until stopped). */
  isReady(): boolean;
  /** Open WebSocket connections. */
  connections(): number;
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
  const presence = new ReplicaPresence(bus, log.child({ part: "presence" }), settings.presence);
  pushMetrics.readPresenceAgents(() => presence.agents);
  hub.observe({
    opened: (connection) => presence.opened(connection.viewer),
    closed: (connection) => presence.closed(connection.viewer),
  });
  const presenceRelay = new PresenceRelay(bus, hub, pushMetrics);
  const typing = new TypingRelay(bus, hub, events.index, membership, pushMetrics);
  const commands = new ClientCommands(events, replays, membership, settings.maxTopics, {
    typing: (connection, frame) => typing.typed(connection, frame),
    activity: (connection) => presence.activity(connection.viewer),
  });
  let stopped = false;
  const server = new PushServer(settings, hub, commands, () => events.ready && !stopped, pushMetrics, log);
  await events.start();
  await presenceRelay.start();
  await typing.start();
  await presence.start();
  log.info({ head: events.head?.offset ?? null }, "push serving");
  const isReady = () => events.ready && !stopped;
  return {
    mount(app) {
      app.get("/v1.0/ws", (_req, res) => {
        res.status(426).json({
          error: {
            status: "INVALID_ARGUMENT",
            reason: "UPGRADE_REQUIRED",
            message: "Open a WebSocket here.",
          },
        });
      });
    },
    attach: (http) => server.attach(http),
    async detach() {
      stopped = true;
      await server.close();
    },
    checks: [{ name: "event_stream", check: isReady }],
    isReady,
    connections: () => hub.size,
    async stop() {
      stopped = true;
      await presence.stop();
      await Promise.all([presenceRelay.stop(), typing.stop()]);
      await events.stop();
    },
  };
}

export const service: ServiceDefinition<typeof pushConfig> = {
  name: "push",
  config: pushConfig,
  start: (deps, config) => startPush({ ...deps, settings: pushSettings(config) }),
};
