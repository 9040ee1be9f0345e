/**
 * Shared set-up for suites that need a real RabbitMQ: one broker per test file, from testkit.
 * A suite is skipped only when no broker could possibly be had and we are not under CI; under
 * CI=true it always runs, so a broker that cannot be started fails it.
 */
import { randomUUID } from "node:crypto";
import { describeNeeding, startRabbit, type RabbitHandle } from "@talk/testkit";
import { AmqpBus, type AmqpBusOptions } from "../src";

export const describeWithRabbit: jest.Describe = describeNeeding(["rabbitmq"]);

export interface RabbitContext {
  rabbit: RabbitHandle;
  /** Every bus of this file gets it, so files sharing a broker (TALK_TEST_RABBITMQ_URL) stay apart. */
  namespace: string;
  connect(options?: Partial<AmqpBusOptions>): Promise<AmqpBus>;
}

/** Starts the broker before the file's tests and stops it after them. */
export function useRabbit(): RabbitContext {
  const context = { namespace: `test-${randomUUID().slice(0, 8)}` } as RabbitContext;
  beforeAll(async () => {
    context.rabbit = await startRabbit();
    context.connect = (options = {}) =>
      AmqpBus.connect({
        url: context.rabbit.url,
        service: "bus-test",
        namespace: context.namespace,
        rpcTimeoutMs: 3000,
        redeliveryDelayMs: 20,
        connectTimeoutMs: 10_000,
        ...options,
      });
  }, 120_000);
  afterAll(async () => {
    await context.rabbit?.close();
  }, 60_000);
  return context;
}
