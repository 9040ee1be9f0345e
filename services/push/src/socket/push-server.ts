/**
 * The WebSocket side of the push service (`ws`): upgrades on `/v1.0/ws` authenticated before they
 * complete, one `Connection` per socket, client frames handled in order, pings every heartbeat
 * (a client that did not answer the previous ping is dropped), and on shutdown every socket closed
 * with 1012 so that clients reconnect — to any replica — with their last cursor.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { AppError, PUSH_CLOSE_CODES, unavailable } from "@talk/contracts";
import { type Logger, type TrustProxy, adoptRequestId, clientAddress } from "@talk/kit";
import { ConnectionCaps, type ConnectionKey } from "../domain/connection-caps";
import { WebSocketServer, type WebSocket } from "ws";
import type { PushMetrics } from "../metrics";
import type { ClientCommands } from "./client-commands";
import { Connection, type ConnectionLimits } from "./connection";
import type { Hub } from "./hub";
import { type AdmissionRules, admit, refuseUpgrade } from "./upgrade";

export interface PushServerSettings extends ConnectionLimits, AdmissionRules {
  maxConnections: number;
  maxConnectionsPerAgent: number;
  maxConnectionsPerAddress: number;
  trustProxy: TrustProxy;
  maxFrameBytes: number;
  heartbeatMs: number;
}

/** How long shutdown waits for clients to finish the closing handshake. */
const SHUTDOWN_GRACE_MS = 2000;

export class PushServer {
  private readonly wss: WebSocketServer;
  private readonly heartbeat: NodeJS.Timeout;
  private closing = false;
  private readonly caps: ConnectionCaps;

  constructor(
    private readonly settings: PushServerSettings,
    private readonly hub: Hub,
    private readonly commands: ClientCommands,
    private readonly ready: () => boolean,
    private readonly metrics: PushMetrics,
    private readonly logger: Logger,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: settings.maxFrameBytes,
    });
    this.caps = new ConnectionCaps({
      perAgent: settings.maxConnectionsPerAgent,
      perAddress: settings.maxConnectionsPerAddress,
    });
    this.heartbeat = setInterval(() => this.ping(), settings.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Serves WebSocket upgrades of an HTTP server (its other requests are left to it). */
  attach(server: Server): void {
    server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(request, socket, head),
    );
  }

  /** Closes every socket with 1012 (service restart), waiting briefly for the clients to answer. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    const connections = this.hub.connections();
    for (const c of connections)
      c.close(PUSH_CLOSE_CODES.serviceRestart, "service restart: reconnect with your last cursor");
    const deadline = Date.now() + SHUTDOWN_GRACE_MS;
    while (this.hub.size > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    for (const c of this.hub.connections()) c.ws.terminate();
    this.wss.close();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const requestId = adoptRequestId(headerValue(request.headers["x-request-id"]));
    socket.on("error", () => socket.destroy());
    let admission;
    let key: ConnectionKey | undefined;
    try {
      if (this.closing || !this.ready())
        throw unavailable("PUSH_NOT_READY", "The push service is starting or stopping; retry in a moment.");
      admission = admit(request, this.settings);
      if (this.hub.size >= this.settings.maxConnections)
        throw unavailable("TOO_MANY_CONNECTIONS", "This push replica is full; retry in a moment.");
      key = { agentId: admission.viewer.agentId, address: clientAddress(request, this.settings.trustProxy) };
      const capped = this.caps.admit(key);
      if (capped) throw capped;
    } catch (err) {
      const error =
        err instanceof AppError ? err : new AppError("INTERNAL", "INTERNAL", "Could not open the WebSocket.");
      this.metrics.refusedUpgrades.inc({ reason: error.reason });
      return refuseUpgrade(socket, error, requestId);
    }
    const { viewer, resumeFrom, expiresAt } = admission;
    const counted = key as ConnectionKey;
    socket.once("close", () => this.caps.release(counted));
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const logger = this.logger.child({ agentId: viewer.agentId, customerId: viewer.customerId, requestId });
      const connection = new Connection(ws, viewer, this.settings, this.metrics, logger);
      connection.resumeFrom = resumeFrom;
      if (expiresAt) connection.expireAt(expiresAt);
      this.hub.add(connection);
      this.wire(ws, connection);
    });
  }

  private wire(ws: WebSocket, connection: Connection): void {
    ws.on("message", (data, binary) => {
      connection.alive = true;
      if (!connection.open) return;
      if (!connection.withinRate()) return this.commands.tooManyFrames(connection); // before queueing anything
      const buffer = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      connection.serially(() => this.commands.handle(connection, buffer, binary));
    });
    ws.on("pong", () => (connection.alive = true));
    ws.on("error", (err) => connection.logger.debug({ err: err.message }, "WebSocket error"));
    ws.on("close", () => {
      connection.closed();
      this.hub.remove(connection);
    });
  }

  private ping(): void {
    for (const connection of this.hub.connections()) {
      if (!connection.alive) {
        connection.logger.info("Dropping a client that did not answer the last ping");
        connection.closed();
        connection.ws.terminate();
        continue;
      }
      connection.alive = false;
      try {
        connection.ws.ping();
      } catch {
        // closing
      }
    }
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text;
}
