/** `import { TalkClient } from "@talk/client/node"`: the SDK with the `ws` package as its WebSocket. */
export * from "./src/node";
