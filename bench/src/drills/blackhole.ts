/**
 * A TCP relay between one service and RabbitMQ that can blackhole the path: while blackholed it
 * keeps every connection open but drops every byte both ways (and new connections get nothing
 * either), as a dead switch or a partitioned network would — nothing is closed, so only heartbeats
 * and timeouts can tell.
 */
import net from "node:net";

export class BlackholeRelay {
  private blackholed = false;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<BlackholeRelay> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const relay = new BlackholeRelay(server, (server.address() as net.AddressInfo).port);
    server.on("connection", (client: net.Socket) => relay.accept(client, target));
    return relay;
  }

  /** The URL of `url` with its host and port replaced by the relay's. */
  via(url: string): string {
    const relayed = new URL(url);
    relayed.hostname = "127.0.0.1";
    relayed.port = String(this.port);
    return relayed.toString();
  }

  set(blackholed: boolean): void {
    this.blackholed = blackholed;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk: Buffer) => {
      if (!this.blackholed) upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (!this.blackholed) client.write(chunk);
    });
  }
}
