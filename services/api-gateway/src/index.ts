export { createApiRouter, createGatewayApp } from "./app";
export type { GatewaySettings } from "./config";
export { openApiDocument } from "./openapi/document";
