export { createApiRouter, createGatewayApp, startGateway } from "./app";
export { type GatewaySettings, gatewayConfig, gatewaySettings } from "./config";
export { openApiDocument } from "./openapi/document";
