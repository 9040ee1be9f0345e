import { type ConfigSpec, commonConfig, corsConfig } from "@talk/kit";

export const gatewayConfig = {
  ...commonConfig,
  ...corsConfig,
  JWT_SECRET: {
    kind: "string",
    description: "secret that signs access tokens (at least 32 characters)",
    secret: true,
  },
  TOKEN_TTL_SECONDS: { kind: "int", description: "lifetime of an access token", default: 86400, min: 60 },
  BODY_LIMIT_BYTES: { kind: "int", description: "largest accepted request body", default: 262144, min: 1024 },
  LOGIN_RATE_PER_MINUTE: {
    kind: "int",
    description: "login attempts allowed per client address and minute",
    default: 30,
    min: 1,
  },
} as const satisfies ConfigSpec;

export interface GatewaySettings {
  jwtSecret: string;
  tokenTtlSeconds: number;
  bodyLimitBytes: number;
  loginRatePerMinute: number;
  /** Browser origins allowed to call the API from another origin (`*`: any, without credentials). */
  allowedOrigins: readonly string[];
}
