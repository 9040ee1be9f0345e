export { startChatManager } from "./app";
