export { startEmbedded, type EmbeddedSystem, type EmbeddedOptions } from "./system";
export { EMBEDDED_MANAGERS, schemaOf } from "./system";
