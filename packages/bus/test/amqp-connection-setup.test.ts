/**
 * The connection's setup against a connection that dies under it: the reconnect loop must not wait
 * on a setup step that will never settle, or the service would never be ready again.
 */
import type { Socket } from "node:net";
import { silentLogger } from "@talk/kit";
import { AmqpConnection } from "../src/amqp/connection";
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
});
