/**
 * @talk/client for Node.js 20, which has `fetch` but no global `WebSocket`: the same API, with the
 * `ws` package as the default WebSocket of `realtime()`.
 */
import WebSocket from "ws";
import { TalkClient as BaseClient, type ClientOptions, type Credentials } from "./client";

export * from "./index";

export class TalkClient extends BaseClient {
  constructor(options: ClientOptions & { token: string }, credentials?: Credentials) {
    super({ WebSocket, ...options }, credentials);
  }
}
