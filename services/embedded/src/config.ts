/** The embedded mode's environment; the gateway's limits are the gateway's own variables and defaults. */
import { gatewayConfig } from "@talk/api-gateway";
import {
  type ConfigSpec,
  commonConfig,
  corsConfig,
  tokenSecretConfig,
  tracingConfig,
  writeRateConfig,
} from "@talk/kit";

export const embeddedConfig = {
  LOG_LEVEL: commonConfig.LOG_LEVEL,
  TRUST_PROXY: commonConfig.TRUST_PROXY,
  HTTP_KEEP_ALIVE_SECONDS: commonConfig.HTTP_KEEP_ALIVE_SECONDS,
  HTTP_LISTEN_BACKLOG: commonConfig.HTTP_LISTEN_BACKLOG,
  ...tracingConfig,
  PORT: {
    kind: "int",
    description: "port of the API, the WebSocket, health and metrics",
    default: 8080,
    min: 0,
    max: 65535,
  },
  TALK_DATA_DIR: {
    kind: "string",
    description: "folder holding each service's embedded database",
    default: ".data",
  },
  JWT_SECRET: {
    ...tokenSecretConfig.JWT_SECRET,
    description: `${tokenSecretConfig.JWT_SECRET.description}; by default one is generated and kept in the data folder`,
    default: "",
  },
  JWT_SECRET_PREVIOUS: tokenSecretConfig.JWT_SECRET_PREVIOUS,
  TOKEN_TTL_SECONDS: gatewayConfig.TOKEN_TTL_SECONDS,
  BODY_LIMIT_BYTES: gatewayConfig.BODY_LIMIT_BYTES,
  LOGIN_RATE_PER_MINUTE: gatewayConfig.LOGIN_RATE_PER_MINUTE,
  MAX_REQUESTS_IN_FLIGHT: gatewayConfig.MAX_REQUESTS_IN_FLIGHT,
  OVERLOAD_LATENCY_TOLERANCE_PERCENT: gatewayConfig.OVERLOAD_LATENCY_TOLERANCE_PERCENT,
  OVERLOAD_EVENT_LOOP_LAG_MS: {
    ...gatewayConfig.OVERLOAD_EVENT_LOOP_LAG_MS,
    description: `${gatewayConfig.OVERLOAD_EVENT_LOOP_LAG_MS.description}; off by default here, where the one event loop also runs the databases`,
    default: 0,
  },
  ...corsConfig,
  ...writeRateConfig,
  RABBITMQ_URL: {
    kind: "url",
    description:
      "AMQP URL of a broker to publish the public events to as well (exchange talk.events), for consumers outside the process; unset: none",
    protocols: ["amqp", "amqps"],
    default: "",
  },
} as const satisfies ConfigSpec;
