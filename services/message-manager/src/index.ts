export { startMessageManager } from "./app";
