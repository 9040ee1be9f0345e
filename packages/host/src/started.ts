/**
 * The one shape every service has: what its start function is given, what it resolves with, and
 * how it declares itself to the host (name, configuration, whether it owns a database).
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Bus } from "@talk/bus";
import type { Config, ConfigSpec, Logger, Metrics, ReadinessCheck } from "@talk/kit";
import type { Express } from "express";
import type { Knex } from "knex";
import type { WriteRates } from "@talk/db";

/** What every service is started with. */
export interface ServiceDeps {
  bus: Bus;
  logger: Logger;
  metrics: Metrics;
}

/** A manager also owns a database. */
export interface ManagerDeps extends ServiceDeps {
  db: Knex;
}

/** A manager whose writes go through the outbox and draw on write budgets (chat-manager, message-manager). */
export interface WritingManagerDeps extends ManagerDeps {
  /** The outbox relay polls this often besides being woken by its own writes (the outbox's default when absent); embedded mode sets it. */
  outboxPollMs?: number;
  writeRates?: WriteRates;
}

/**
 * What every start function resolves with. Stop order (host and embedded alike): `detach` (clients
 * let go), the HTTP server closes (in-flight requests finish), the bus stops consuming (in-flight
 * handlers finish), `stop`, the bus and the database close.
 */
export interface Started {
  /**
   * Runs first for every HTTP request, before express: true when it answered the request itself
   * (the gateway's admission control refuses the excess here, at the least CPU an answer can cost).
   */
  gate?(req: IncomingMessage, res: ServerResponse): boolean;
  /** Adds the service's HTTP surface to the process's app (after /healthz, /readyz, /metrics). */
  mount?(app: Express): void;
  /** Takes the HTTP server once it listens (push serves WebSocket upgrades on it). */
  attach?(server: Server): void;
  /** Lets go of the clients taken by `attach` (push closes its WebSockets), before the server closes. */
  detach?(): Promise<void>;
  /** Readiness beyond the host's own checks (broker, database). */
  checks?: ReadinessCheck[];
  /** Finishes the service's own work once the bus stopped consuming (e.g. the outbox relay). */
  stop?(): Promise<void>;
}

interface Definition<S extends ConfigSpec, D extends ServiceDeps> {
  /** Logs, metrics, the broker connection's name. */
  name: string;
  /** The service's own variables; the host adds `commonConfig` (and `databaseConfig` for a manager). */
  config: S;
  start(deps: D, config: Config<S>): Promise<Started>;
}

/** A service without a database of its own (api-gateway, push). */
export interface ServiceDefinition<S extends ConfigSpec = ConfigSpec> extends Definition<S, ServiceDeps> {
  database?: false;
}

/** A manager: the host connects, and closes, its own PostgreSQL database. */
export interface ManagerDefinition<S extends ConfigSpec = ConfigSpec> extends Definition<S, ManagerDeps> {
  database: true;
}
