export { startEmbedded, type EmbeddedSystem, type EmbeddedOptions } from "./system";
