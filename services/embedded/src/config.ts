import { type ConfigSpec, commonConfig, corsConfig } from "@talk/kit";

export const embeddedConfig = {
  LOG_LEVEL: commonConfig.LOG_LEVEL,
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
    kind: "string",
    description: "secret that signs access tokens; by default one is generated and kept in the data folder",
    default: "",
    secret: true,
  },
  TOKEN_TTL_SECONDS: { kind: "int", description: "lifetime of an access token", default: 86400, min: 60 },
  ...corsConfig,
} as const satisfies ConfigSpec;
