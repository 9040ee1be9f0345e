/**
 * A RabbitMQ broker for tests, from (in order): TALK_TEST_RABBITMQ_URL; a testcontainers container
 * when a Docker engine answers; the machine's `rabbitmq-server`, as a private node on free ports.
 */
import * as amqp from "amqplib";
import { dockerAnswers } from "./docker";
import { announced } from "./announce";
import { sleep } from "./wait";

export interface RabbitHandle {
  /** amqp:// URL of the broker. */
  url: string;
  /** Whether stop/start/kill are supported (false for a broker given by URL). */
  restartable: boolean;
  /** Graceful stop; the data survives for `start`. */
  stop(): Promise<void>;
  /** Starts again on the same port with the same data (durable queues survive). */
  start(): Promise<void>;
  /** SIGKILL of the broker. */
  kill(): Promise<void>;
  /** Stops and cleans up for good. */
  close(): Promise<void>;
}

export async function startRabbit(): Promise<RabbitHandle> {
  const fromEnv = process.env.TALK_TEST_RABBITMQ_URL;
  if (fromEnv) return externalRabbit(fromEnv);
  if (await dockerAnswers()) {
    const { startRabbitContainer } = await import("./rabbit-container");
    return announced("RabbitMQ", "a testcontainers container", await startRabbitContainer());
  }
  const { startLocalRabbit } = await import("./rabbit-local");
  return announced("RabbitMQ", "the machine's rabbitmq-server", await startLocalRabbit());
}

function externalRabbit(url: string): RabbitHandle {
  const unsupported = async () => {
    throw new Error("The RabbitMQ broker comes from TALK_TEST_RABBITMQ_URL and cannot be restarted by tests");
  };
  return {
    url,
    restartable: false,
    stop: unsupported,
    start: unsupported,
    kill: unsupported,
    close: async () => {},
  };
}

/**
 * Waits until the broker accepts an AMQP connection. `failure` is checked between attempts and
 * returns a reason to give up early (e.g. the server process exited).
 */
export async function waitForAmqp(
  url: string,
  timeoutMs: number,
  failure: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  for (;;) {
    const reason = failure();
    if (reason) throw new Error(reason);
    try {
      const connection = await amqp.connect(url, { timeout: 2000 });
      connection.on("error", () => {});
      await connection.close();
      return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline)
      throw new Error(`RabbitMQ did not accept connections within ${timeoutMs} ms (${lastError})`);
    await sleep(150);
  }
}
