/**
 * A process that holds WebSockets for the connections scenario: one process can hold at most as
 * many sockets as its open-file limit (20,000 on this machine), and one source address about
 * 28,000 to one server port, so 19,000 sockets come from several of these, each from its own
 * 127.0.0.x address. `open` connects (200 at a time), subscribes each socket to its topic when
 * given one, and answers how many it holds; `count` and `close` as named.
 */
import { type ChildMessage, ready, serveParent } from "../lib/child";
import { WsClient, openMany } from "../lib/ws-clients";

const localAddress = process.env.WS_HOLDER_LOCAL_ADDRESS || undefined;
let clients: (WsClient | undefined)[] = [];

serveParent({
  async open(command: ChildMessage) {
    const sockets = command.sockets as { url: string; topic?: string }[];
    let errors = 0;
    let firstError: string | undefined;
    const opened = await openMany(sockets.length, 200, async (i) => {
      try {
        const client = await WsClient.connect(sockets[i].url, 30_000, localAddress);
        const topic = sockets[i].topic;
        if (topic) await client.subscribe([topic], 30_000);
        return client;
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
        return undefined;
      }
    });
    clients.push(...opened);
    return { held: clients.filter((c) => c && !c.closed).length, errors, firstError };
  },
  count() {
    return { held: clients.filter((c) => c && !c.closed).length };
  },
  close() {
    for (const client of clients) client?.close();
    clients = [];
    return {};
  },
});
ready({ localAddress: localAddress ?? "" });
