/**
 * Configuration from environment variables, validated once at start. A service declares its
 * variables; `loadConfig` reads them, applies defaults and reports every missing or bad value at once.
 * Nothing outside config modules reads `process.env`.
 *
 * Secrets (`secret` variables, and `url` variables marked `secret` because they carry a password)
 * may instead be given as a file, `<NAME>_FILE` (a mounted Kubernetes or Docker secret), and must
 * pass the one secret rule of ./secrets.ts.
 */
import { parseOrigins } from "./origins";
import { readFileSync } from "node:fs";
import { secretProblem, urlPasswordProblem } from "./secrets";
import { tracingConfig } from "./tracing";

export type VarSpec =
  /** `secret`: a password or token that may come from `<NAME>_FILE` (not a generated key: no entropy rule). */
  | { kind: "string"; description: string; default?: string; secret?: boolean }
  /** A random secret (a signing key): no example value, at least 32 characters and ~128 bits. */
  | { kind: "secret"; description: string; default?: string }
  | {
      kind: "url";
      description: string;
      default?: string;
      protocols: readonly string[];
      /** Carries a password: may come from `<NAME>_FILE`; an example password is refused. */
      secret?: boolean;
    }
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
    const fromFile = secretFile(name, rule, env, problems);
    if (fromFile === null) continue;
    const raw = fromFile ?? env[name];
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
      case "secret": {
        const problem = secretProblem(name, raw);
        if (problem) problems.push(problem);
        else values[name] = raw;
        break;
      }
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
        else if (rule.secret && urlPasswordProblem(name, raw)) problems.push(urlPasswordProblem(name, raw)!);
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

const readableFromFile = (rule: VarSpec) =>
  rule.kind === "secret" || ((rule.kind === "url" || rule.kind === "string") && rule.secret === true);

/** The variables that may be given as `<NAME>_FILE`. */
export const fromFileVariables = (spec: ConfigSpec): string[] =>
  Object.entries(spec)
    .filter(([, rule]) => readableFromFile(rule))
    .map(([name]) => `${name}_FILE`);

/**
 * The value of `<NAME>_FILE`'s file (trimmed), undefined when that variable is not set, or null when
 * it cannot be used (the problem is recorded).
 */
function secretFile(
  name: string,
  rule: VarSpec,
  env: Record<string, string | undefined>,
  problems: string[],
): string | undefined | null {
  const path = env[`${name}_FILE`];
  if (path === undefined || path === "") return undefined;
  if (!readableFromFile(rule)) {
    problems.push(`${name}_FILE is not read: ${name} is not a secret; set ${name} itself`);
    return null;
  }
  if (env[name] !== undefined && env[name] !== "") {
    problems.push(`${name} and ${name}_FILE are both set: keep one`);
    return null;
  }
  try {
    return readFileSync(path, "utf8").trim();
  } catch (error) {
    problems.push(`${name}_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? error})`);
    return null;
  }
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
  HTTP_KEEP_ALIVE_SECONDS: {
    kind: "int",
    description:
      "how long an idle keep-alive HTTP connection stays open; above a load balancer's own idle timeout (60 s for most), so the server never closes a connection the balancer is about to reuse, and clients between bursts keep theirs instead of reconnecting",
    default: 65,
    min: 1,
  },
  HTTP_LISTEN_BACKLOG: {
    kind: "int",
    description:
      "connections the kernel queues until the process accepts them (capped by net.core.somaxconn); a full queue drops new connections' SYNs and the client retries only after a second or more",
    default: 4096,
    min: 1,
  },
  RABBITMQ_URL: {
    kind: "url",
    description: "AMQP URL of the broker (or RABBITMQ_URL_FILE: a file holding it)",
    protocols: ["amqp", "amqps"],
    secret: true,
  },
  RABBITMQ_NODES: {
    kind: "string",
    description:
      "the broker cluster's nodes as host:port, comma-separated (RABBITMQ_URL gives the credentials and vhost); every (re)connection tries them in turn. Empty: RABBITMQ_URL's host only",
    default: "",
  },
  RABBITMQ_QUEUE_TYPE: {
    kind: "enum",
    description:
      "type of the durable queues (RPC requests, event subscriptions, chat changes, dead letters) when first declared: quorum (replicated) or classic; an existing queue keeps its type (docs/operations.md, Moving from classic queues)",
    default: "quorum",
    values: ["quorum", "classic"],
  },
  RABBITMQ_REPLICAS: {
    kind: "int",
    description:
      "replicas of each quorum queue and of the push stream when first declared; the broker caps it at its node count",
    default: 3,
    min: 1,
  },
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
  ...tracingConfig,
} as const satisfies ConfigSpec;

/** Write budgets, kept by the service that owns the write (see docs/decisions/rate-limits.md). */
export const writeRateConfig = {
  WRITE_RATE_PER_AGENT_PER_MINUTE: {
    kind: "int",
    description:
      "writes (sends, reactions, deletes, chat and participant changes) one agent may make per minute, also its burst",
    default: 1200,
    min: 1,
  },
  WRITE_RATE_PER_CUSTOMER_PER_MINUTE: {
    kind: "int",
    description: "writes all agents of one customer may make per minute together, also its burst",
    default: 120000,
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
    description: "PostgreSQL URL of this service's own database (or DATABASE_URL_FILE: a file holding it)",
    protocols: ["postgres", "postgresql"],
    secret: true,
  },
  DATABASE_HOSTS: {
    kind: "string",
    description:
      "every instance of the database (primary and standbys) as host:port, comma-separated (DATABASE_URL gives the user, password and database); each new connection goes to the one that accepts writes, as libpq's target_session_attrs=read-write, so the service follows a failover. Empty: DATABASE_URL's host only",
    default: "",
  },
  DATABASE_POOL_MAX: { kind: "int", description: "connections in the database pool", default: 10, min: 1 },
} as const satisfies ConfigSpec;

/**
 * The access tokens' secret (api-gateway signs and verifies, push verifies). To rotate it without
 * logging anyone out: move the current secret to JWT_SECRET_PREVIOUS and set a new JWT_SECRET on
 * every gateway and push replica; once TOKEN_TTL_SECONDS have passed, drop JWT_SECRET_PREVIOUS.
 */
export const tokenSecretConfig = {
  JWT_SECRET: {
    kind: "secret",
    description:
      "signs access tokens, at least 32 random characters: `openssl rand -base64 48` (or JWT_SECRET_FILE)",
  },
  JWT_SECRET_PREVIOUS: {
    kind: "secret",
    description:
      "the secret before the last rotation: tokens it signed stay valid until they expire (or JWT_SECRET_PREVIOUS_FILE)",
    default: "",
  },
} as const satisfies ConfigSpec;

/** The token secret of a loaded config, as @talk/auth takes it. */
export const tokenSecretOf = (config: { JWT_SECRET: string; JWT_SECRET_PREVIOUS: string }) => ({
  current: config.JWT_SECRET,
  ...(config.JWT_SECRET_PREVIOUS ? { previous: config.JWT_SECRET_PREVIOUS } : {}),
});
