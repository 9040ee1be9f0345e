/**
 * The connection's setup against a connection that dies under it, or that stays but never answers:
 * the reconnect loop must not wait on a setup step that will never settle, or the service would
 * never be ready again.
 */
import type { Socket } from "node:net";
import { silentLogger } from "@talk/kit";
import { AmqpConnection, type Channels } from "../src/amqp/connection";
import { describeWithRabbit, useRabbit } from "./rabbit-suite";

describeWithRabbit("AmqpConnection setup", () => {
  const context = useRabbit();

  it("connects again when its connection dies while a setup step hangs", async () => {
    const connection = new AmqpConnection({
      urls: [context.rabbit.url],
      service: "setup-test",
      logger: silentLogger,
      backoff: { initialMs: 20, maxMs: 200 },
    });
    const generations: number[] = [];
    connection.onConnected(async (channels) => {
      generations.push(channels.generation);
      if (channels.generation > 1) return;
      // The socket breaks (as in a write ECONNRESET) while this step waits for an answer that
      // will never come.
      (channels.connection.connection as unknown as { stream: Socket }).stream.destroy(
        new Error("write ECONNRESET"),
      );
      await new Promise<never>(() => undefined);
    });
    try {
      await connection.start(20_000);
      expect(connection.ready).toBe(true);
      expect(generations).toEqual([1, 2]);
      expect(connection.channels?.generation).toBe(2);
    } finally {
      await connection.close();
    }
  }, 60_000);

  it("gives up a live connection whose setup does not finish in time, and connects again", async () => {
    const connection = new AmqpConnection({
      urls: [context.rabbit.url],
      service: "setup-test",
      logger: silentLogger,
      backoff: { initialMs: 20, maxMs: 200 },
      setupTimeoutMs: 1000,
    });
    const generations: number[] = [];
    let first: Channels | undefined;
    connection.onConnected(async (channels) => {
      generations.push(channels.generation);
      if (channels.generation > 1) return;
      // The broker keeps the connection but never answers this step (as a consume can hang while
      // a restarted cluster's quorum queues elect their leaders).
      first = channels;
      channels.setupStep = "a step that never ends";
      await new Promise<never>(() => undefined);
    });
    try {
      await connection.start(20_000);
      expect(connection.ready).toBe(true);
      expect(generations).toEqual([1, 2]);
      // the first connection was closed, and work bound to it was told
      await expect(first?.gone).resolves.toBeUndefined();
    } finally {
      await connection.close();
    }
  }, 60_000);
});
