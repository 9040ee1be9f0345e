export * from "./logger";
export * from "./metrics";
export * from "./config";
export * from "./ops";
export * from "./lifecycle";
export * from "./origins";
export * from "./request-id";
export * from "./trust-proxy";
