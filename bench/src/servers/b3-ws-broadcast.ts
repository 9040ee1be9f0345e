/**
 * B3: bare `ws`, one frame serialized once and sent to every connected socket. `broadcast` takes
 * the moment just before the first send (process.hrtime, the same clock as the readers') and
 * answers it; the readers time their receipt against it. No authentication, no subscriptions, no
 * broker: the floor under any fan-out. `burst` sends many frames back to back (a burst of presence
 * changes), each timed from just before its first send.
 */
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { type ChildMessage, ready, serveParent } from "../lib/child";

const wss = new WebSocketServer({
  port: 0,
  host: "127.0.0.1",
  perMessageDeflate: false,
  clientTracking: true,
});
let template = '{"type":"bench","seq":__SEQ__}';

wss.on("listening", () => {
  serveParent({
    template(command: ChildMessage) {
      template = String(command.template);
      return {};
    },
    broadcast(command: ChildMessage) {
      const frame = Buffer.from(template.replace("__SEQ__", String(command.seq)));
      const t0 = process.hrtime.bigint();
      for (const client of wss.clients) client.send(frame, { binary: false });
      return { t0: t0.toString(), sent: wss.clients.size };
    },
    /** `count` frames (seq `base`…) to every socket back to back, as a burst of changes would go. */
    burst(command: ChildMessage) {
      const base = Number(command.base);
      const t0: string[] = [];
      for (let k = 0; k < Number(command.count); k++) {
        const frame = Buffer.from(template.replace("__SEQ__", String(base + k)));
        t0.push(process.hrtime.bigint().toString());
        for (const client of wss.clients) client.send(frame, { binary: false });
      }
      return { t0 };
    },
    count() {
      return { clients: wss.clients.size };
    },
  });
  ready({ port: (wss.address() as AddressInfo).port });
});
