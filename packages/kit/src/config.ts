/**
 * Configuration from environment variables, validated once at start. A service declares its
 * variables; `loadConfig` reads them, applies defaults and reports every missing or bad value at once.
 * Nothing outside config modules reads `process.env`.
 */
import { parseOrigins } from "./origins";

export type VarSpec =
  | { kind: "string"; description: string; default?: string; secret?: boolean }
  | { kind: "url"; description: string; default?: string; protocols: readonly string[] }
  | { kind: "int"; description: string; default?: number; min?: number; max?: number }
  | { kind: "enum"; description: string; default?: string; values: readonly string[] }
  /** A comma-separated list of web origins (`https://app.example.com`), or `*` alone. */
  | { kind: "origins"; description: string; default: string };

export type ConfigSpec = Record<string, VarSpec>;

type ValueOf<S extends VarSpec> = S extends { kind: "int" }
  ? number
  : S extends { kind: "origins" }
    ? readonly string[]
    : string;
export type Config<S extends ConfigSpec> = { [K in keyof S]: ValueOf<S[K]> };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig<S extends ConfigSpec>(
  spec: S,
  env: Record<string, string | undefined> = process.env,
): Config<S> {
  const problems: string[] = [];
  const values: Record<string, string | number | readonly string[]> = {};
  for (const [name, rule] of Object.entries(spec)) {
    const raw = env[name];
    if (rule.kind === "origins") {
      const parsed = parseOrigins(raw === undefined || raw === "" ? rule.default : raw);
      if ("problem" in parsed) problems.push(`${name} ${parsed.problem}`);
      else values[name] = parsed.origins;
      continue;
    }
    if (raw === undefined || raw === "") {
      if (rule.default === undefined) problems.push(`${name} is required: ${rule.description}`);
      else values[name] = rule.default;
      continue;
    }
    switch (rule.kind) {
      case "string":
        values[name] = raw;
        break;
      case "url": {
        let protocol: string | undefined;
        try {
          protocol = new URL(raw).protocol.replace(/:$/, "");
        } catch {
          protocol = undefined;
        }
        if (!protocol || !rule.protocols.includes(protocol))
          problems.push(
            `${name} must be a URL with scheme ${rule.protocols.join(" or ")} (got "${redact(raw)}")`,
          );
        else values[name] = raw;
        break;
      }
      case "int": {
        const n = Number(raw);
        if (
          !/^-?\d+$/.test(raw) ||
          (rule.min !== undefined && n < rule.min) ||
          (rule.max !== undefined && n > rule.max)
        )
          problems.push(
            `${name} must be an integer${rule.min !== undefined ? ` >= ${rule.min}` : ""}${rule.max !== undefined ? ` <= ${rule.max}` : ""} (got "${raw}")`,
          );
        else values[name] = n;
        break;
      }
      case "enum":
        if (!rule.values.includes(raw))
          problems.push(`${name} must be one of ${rule.values.join(", ")} (got "${raw}")`);
        else values[name] = raw;
        break;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Config<S>;
}

/** Hides the password of a URL for error messages and logs. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]*)@/, "//$1:***@");
}

/** Variables every service shares. */
export const commonConfig = {
  LOG_LEVEL: {
    kind: "enum",
    description: "pino log level",
    default: "info",
    values: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
  },
  HTTP_PORT: {
    kind: "int",
    description: "port of /healthz, /readyz and /metrics (and the API on the gateway)",
    default: 8080,
    min: 0,
    max: 65535,
  },
  RABBITMQ_URL: { kind: "url", description: "AMQP URL of the broker", protocols: ["amqp", "amqps"] },
  RPC_TIMEOUT_MS: {
    kind: "int",
    description: "how long an RPC call waits for its reply",
    default: 5000,
    min: 100,
  },
  TRUST_PROXY: {
    kind: "string",
    description:
      "proxies trusted to name the client in X-Forwarded-For: empty (default) trusts none; 1 for one proxy in front (nginx, an Ingress controller); or their addresses/subnets, comma-separated",
    default: "",
  },
  EVENT_MAX_DELIVERIES: {
    kind: "int",
    description:
      "attempts an event's handler gets (pauses doubling from 250 ms to 30 s) before the event moves to its queue's dead-letter queue",
    default: 10,
    min: 1,
  },
} as const satisfies ConfigSpec;

/** Browser origins allowed to call the API and open the WebSocket (gateway, push, embedded). */
export const corsConfig = {
  CORS_ALLOWED_ORIGINS: {
    kind: "origins",
    description:
      "comma-separated browser origins (https://app.example.com) allowed to call the API and open the WebSocket from another origin; * for any (then without credentials); none by default",
    default: "",
  },
} as const satisfies ConfigSpec;

export const databaseConfig = {
  DATABASE_URL: {
    kind: "url",
    description: "PostgreSQL URL of this service's own database",
    protocols: ["postgres", "postgresql"],
  },
  DATABASE_POOL_MAX: { kind: "int", description: "connections in the database pool", default: 10, min: 1 },
} as const satisfies ConfigSpec;
