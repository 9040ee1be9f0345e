/**
 * One AMQP connection per bus, kept alive: TCP_NODELAY (without it every request/reply waits on
 * Nagle's algorithm), heartbeats, and on loss a reconnect loop with jittered exponential backoff
 * (100 ms → 5 s) until `close()`. Given several addresses (the nodes of a cluster), every attempt
 * goes through them in turn, starting after the node used last, so that losing a node moves the
 * connection to another one at once. Each connection gets three channels:
 *   - `rpc`: requests out, replies in (direct reply-to must be consumed on the publishing channel), replies out;
 *   - `publish`: a confirm channel for events;
 *   - `consume`: RPC and event consumers, with prefetch.
 * A channel that dies on its own takes the connection down with it, so that everything is rebuilt.
 * `onConnected` hooks re-create topology and consumers before the connection counts as ready.
 */
import * as amqp from "amqplib";
import type { Channel, ChannelModel, ConfirmChannel } from "amqplib";
import { type ErrorReason, unavailable } from "@talk/contracts";
import type { Logger } from "@talk/kit";
import { errorMessage } from "../util";
import { brokerMajorVersion } from "./queue-types";

/**
 * Closes a connection, waiting at most `ms` for the broker's answer (a broker busy with the
 * connection's channels may answer late or never), then drops the socket.
 */
async function closeWithin(connection: ChannelModel, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const answered = await Promise.race([
    connection.close().then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  if (!answered) (connection.connection as unknown as { stream?: { destroy(): void } }).stream?.destroy();
}

/** host:port of a broker URL, for logs. */
const redactedNode = (url: string) => new URL(url).host;

export interface Channels {
  generation: number;
  /** Major version of the broker node this connection reached (0 when it did not say). */
  brokerMajor: number;
  /** The address (of the list) this connection reached, password hidden. */
  node: string;
  connection: ChannelModel;
  rpc: Channel;
  publish: ConfirmChannel;
  consume: Channel;
  /**
   * Settles once this connection is gone (closed, or given up during its setup): work bound to it
   * can stop waiting on operations that may never answer.
   */
  gone: Promise<void>;
  /** What the `onConnected` hooks are doing now, for the log when the setup takes too long. */
  setupStep?: string;
}

export interface ConnectionOptions {
  /** The broker's nodes: every connection attempt goes through the list, starting after the last one used. */
  urls: readonly string[];
  service: string;
  logger: Logger;
  heartbeatSeconds?: number;
  backoff?: { initialMs: number; maxMs: number };
  /**
   * How long a new connection may take from its socket to ready (channels, topology, consumers)
   * before it is dropped and another attempt made (default 30 s). After a restart of a whole
   * cluster a declaration or consume can hang on the broker while its quorum queues elect leaders.
   */
  setupTimeoutMs?: number;
}

type ConnectedHook = (channels: Channels) => Promise<void>;
type LostHook = (generation: number) => void;

export class AmqpConnection {
  /** The live connection's channels, as soon as they exist (also while hooks are setting it up). */
  channels: Channels | undefined;
  private readyFlag = false;
  private closing = false;
  private generation = 0;
  private reconnecting = false;
  private readonly connectedHooks: ConnectedHook[] = [];
  private readonly lostHooks: LostHook[] = [];
  private waiters = new Set<() => void>();
  private wakeSleep: (() => void) | undefined;
  private readonly urls: string[];
  /** Index in `urls` of the node to try first on the next attempt. */
  private nextNode = 0;
  private readonly logger: Logger;

  constructor(private readonly options: ConnectionOptions) {
    this.logger = options.logger;
    if (options.urls.length === 0) throw new Error("No RabbitMQ address given");
    this.urls = options.urls.map((address) => {
      const url = new URL(address);
      if (!url.searchParams.has("heartbeat"))
        url.searchParams.set("heartbeat", String(options.heartbeatSeconds ?? 10));
      return url.toString();
    });
  }

  onConnected(hook: ConnectedHook): void {
    this.connectedHooks.push(hook);
  }

  onLost(hook: LostHook): void {
    this.lostHooks.push(hook);
  }

  get ready(): boolean {
    return this.readyFlag && !this.closing;
  }

  /** Connects, retrying with backoff until `timeoutMs` has passed; then keeps reconnecting on loss. */
  async start(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    void this.reconnectLoop();
    await this.whenReady(
      deadline,
      "BROKER_UNAVAILABLE",
      `Could not connect to RabbitMQ within ${timeoutMs} ms.`,
    );
  }

  /**
   * The channels of a ready connection, waiting for (re)connection until `deadline` (epoch ms);
   * then fails with UNAVAILABLE and the given reason.
   */
  async whenReady(deadline: number, reason: ErrorReason, message: string): Promise<Channels> {
    for (;;) {
      if (this.closing) throw unavailable("BUS_CLOSED", "The message bus is closed.");
      if (this.readyFlag && this.channels) return this.channels;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw unavailable(reason, message);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, remaining);
        const waiters = this.waiters;
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.readyFlag = false;
    this.wakeSleep?.();
    this.wake();
    const current = this.channels;
    this.channels = undefined;
    if (current) {
      const closed = current.connection.close().catch(() => undefined);
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      for (const hook of this.lostHooks) hook(current.generation);
    }
  }

  /** Drops the current connection (it will be re-established), e.g. after a channel died. */
  reset(reason: string): void {
    const current = this.channels;
    if (!current || this.closing) return;
    this.logger.warn({ reason }, "Resetting the RabbitMQ connection");
    current.connection.close().catch(() => this.lost(current.generation));
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private async reconnectLoop(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 100, maxMs: 5000 };
    try {
      for (let attempt = 0; !this.closing; attempt++) {
        try {
          await this.connectToAnyNode();
          return;
        } catch (err) {
          if (this.closing) return;
          const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 16));
          const delay = Math.round(base / 2 + (Math.random() * base) / 2);
          (attempt === 0 ? this.logger.warn : this.logger.debug).call(
            this.logger,
            { err: errorMessage(err), attempt: attempt + 1, retryInMs: delay },
            "Could not connect to RabbitMQ; retrying",
          );
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delay);
            this.wakeSleep = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wakeSleep = undefined;
        }
      }
    } finally {
      this.reconnecting = false;
    }
  }

  /**
   * One round through the broker's nodes, starting after the node used last (which is likely the
   * one that just went away); fails with the last node's error when none could be reached.
   */
  private async connectToAnyNode(): Promise<void> {
    let failure: unknown;
    for (let tried = 0; tried < this.urls.length && !this.closing; tried++) {
      const index = (this.nextNode + tried) % this.urls.length;
      try {
        await this.connectOnce(this.urls[index]);
        this.nextNode = (index + 1) % this.urls.length;
        return;
      } catch (err) {
        failure = err;
        if (this.urls.length > 1 && !this.closing)
          this.logger.debug(
            { node: redactedNode(this.urls[index]), err: errorMessage(err) },
            "Could not connect to this RabbitMQ node; trying the next",
          );
      }
    }
    throw failure ?? new Error("closing");
  }

  private async connectOnce(url: string): Promise<void> {
    const connection = await amqp.connect(url, {
      noDelay: true,
      timeout: 5000,
      clientProperties: { connection_name: this.options.service },
    });
    const generation = ++this.generation;
    let dead = false;
    // Setup must not outlive its connection: a declaration or consume in flight when the socket
    // dies may never settle, and the reconnect loop would wait on it forever (seen in CI: a
    // service never ready again after a broker restart during its setup).
    let diedDuringSetup: (error: Error) => void = () => undefined;
    const died = new Promise<never>((_resolve, reject) => (diedDuringSetup = reject));
    died.catch(() => undefined);
    let markGone: () => void = () => undefined;
    const gone = new Promise<void>((resolve) => (markGone = resolve));
    connection.on("error", (err: Error) =>
      this.logger.warn({ err: err.message }, "RabbitMQ connection error"),
    );
    connection.on("blocked", (reason: string) =>
      this.logger.warn({ reason }, "RabbitMQ blocked the connection (resource alarm)"),
    );
    connection.on("unblocked", () => this.logger.info("RabbitMQ unblocked the connection"));
    connection.on("close", (err?: Error) => {
      dead = true;
      markGone();
      diedDuringSetup(new Error("The connection closed during setup"));
      this.lost(generation, err?.message);
    });
    try {
      const [rpc, publish, consume] = await Promise.all([
        connection.createChannel(),
        connection.createConfirmChannel(),
        connection.createChannel(),
      ]);
      const channels: Channels = {
        generation,
        brokerMajor: brokerMajorVersion(connection.connection.serverProperties.version),
        node: redactedNode(url),
        connection,
        rpc,
        publish,
        consume,
        gone,
      };
      for (const [name, channel] of [
        ["rpc", rpc],
        ["publish", publish],
        ["consume", consume],
      ] as const)
        this.watch(channels, name, channel);
      if (this.closing) throw new Error("closing");
      this.channels = channels;
      const setup = (async () => {
        for (const hook of this.connectedHooks) await hook(channels);
      })();
      setup.catch(() => undefined); // when the connection died first, its failure is nobody's news
      const limitMs = this.options.setupTimeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const tooLong = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `The connection's setup did not finish within ${limitMs} ms (at: ${channels.setupStep ?? "?"})`,
              ),
            ),
          limitMs,
        );
      });
      tooLong.catch(() => undefined);
      try {
        await Promise.race([setup, died, tooLong]);
      } finally {
        clearTimeout(timer);
      }
      if (dead || this.closing) throw new Error("The connection closed during setup");
      this.readyFlag = true;
      this.logger.info({ generation, node: channels.node }, "Connected to RabbitMQ");
      this.wake();
    } catch (err) {
      if (this.channels?.generation === generation) this.channels = undefined;
      if (!dead)
        this.logger.warn(
          { generation, err: errorMessage(err) },
          "Giving up a RabbitMQ connection during its setup",
        );
      await closeWithin(connection, 2000);
      markGone();
      throw err;
    }
  }

  /**
   * A channel that closes on its own while it is still its connection's channel for `name` takes
   * the connection down with it (so that everything is rebuilt).
   */
  private watch(channels: Channels, name: "rpc" | "publish" | "consume", channel: Channel): void {
    channel.on("error", (err: Error) =>
      this.logger.warn({ channel: name, err: err.message }, "RabbitMQ channel error"),
    );
    channel.on("close", () =>
      // When the whole connection goes, its channels close first: let the connection's own
      // close event run before deciding that only this channel died.
      setImmediate(() => {
        if (!this.closing && this.channels === channels && channels[name] === channel)
          this.reset(`${name} channel closed`);
      }),
    );
  }

  /**
   * Gives the connection a new confirm channel in place of `channels.publish`, e.g. after the broker
   * nacked a publish on it: a channel that routed to a quorum queue while its leader was moving can
   * keep nacking that queue's messages (seen on RabbitMQ 3.10), where a new channel is accepted.
   */
  async renewPublishChannel(channels: Channels): Promise<void> {
    if (this.closing || this.channels !== channels) return;
    const old = channels.publish;
    const fresh = await channels.connection.createConfirmChannel();
    if (this.channels !== channels || channels.publish !== old) {
      await fresh.close().catch(() => undefined);
      return;
    }
    this.watch(channels, "publish", fresh);
    channels.publish = fresh;
    this.logger.info({ generation: channels.generation }, "Publishing on a new channel");
    await old.close().catch(() => undefined);
  }

  private lost(generation: number, reason?: string): void {
    if (this.channels?.generation === generation) {
      this.channels = undefined;
      if (this.readyFlag)
        this.logger.warn({ generation, reason }, "Lost the RabbitMQ connection; reconnecting");
      this.readyFlag = false;
    }
    for (const hook of this.lostHooks) hook(generation);
    if (!this.closing) void this.reconnectLoop();
  }
}
