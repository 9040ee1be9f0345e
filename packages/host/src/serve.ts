/** One HTTP server for started services: the ops endpoints, each service's routes, its upgrades. */
import type { RequestListener, Server } from "node:http";
import {
  type ConnectionSettings,
  type Metrics,
  type ReadinessCheck,
  type TrustProxy,
  closeServer,
  createHttpApp,
  listen,
  opsRouter,
} from "@talk/kit";
import type { Started } from "./started";

export interface Serving {
  server: Server;
  port: number;
  /** Detaches the services' clients and closes the server (in-flight requests finish). */
  close(): Promise<void>;
}

export async function serve(
  services: Started[],
  options: {
    metrics: Metrics[];
    checks: ReadinessCheck[];
    port: number;
    trustProxy?: TrustProxy;
    /** Keep-alive and accept backlog (default: Node's own, 5 s and 511). */
    connections?: ConnectionSettings;
  },
): Promise<Serving> {
  const app = createHttpApp(options.trustProxy);
  app.use(opsRouter(options.metrics, [...options.checks, ...services.flatMap((s) => s.checks ?? [])]));
  for (const service of services) service.mount?.(app);
  const gates = services.flatMap((s) => (s.gate ? [s.gate.bind(s)] : []));
  const handler: RequestListener = gates.length
    ? (req, res) => {
        for (const gate of gates) if (gate(req, res)) return;
        app(req, res);
      }
    : app;
  const { server, port } = await listen(handler, options.port, undefined, options.connections);
  for (const service of services) service.attach?.(server);
  return {
    server,
    port,
    async close() {
      for (const service of services) await service.detach?.();
      await closeServer(server);
    },
  };
}
