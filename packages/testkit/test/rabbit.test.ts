import * as amqp from "amqplib";
import { describeNeeding, startRabbit, type RabbitHandle } from "../src";

const describeWithRabbit = describeNeeding(["rabbitmq"]);

async function withChannel<T>(url: string, work: (channel: amqp.ConfirmChannel) => Promise<T>): Promise<T> {
  const connection = await amqp.connect(url);
  try {
    return await work(await connection.createConfirmChannel());
  } finally {
    await connection.close().catch(() => undefined);
  }
}

const refused = (url: string) =>
  amqp.connect(url, { timeout: 1000 }).then(
    async (c) => {
      await c.close();
      return false;
    },
    () => true,
  );

describeWithRabbit("startRabbit", () => {
  let rabbit: RabbitHandle;
  beforeAll(async () => {
    rabbit = await startRabbit();
  }, 120_000);
  afterAll(async () => {
    await rabbit?.close();
  }, 60_000);

  it("keeps durable queues and persistent messages across stop/start and kill/start", async () => {
    if (!rabbit.restartable) return;
    await withChannel(rabbit.url, async (channel) => {
      await channel.assertQueue("testkit.durable", { durable: true });
      channel.sendToQueue("testkit.durable", Buffer.from("one"), { persistent: true });
      await channel.waitForConfirms();
    });
    await rabbit.stop();
    expect(await refused(rabbit.url)).toBe(true);
    await rabbit.start();
    await withChannel(rabbit.url, async (channel) => {
      channel.sendToQueue("testkit.durable", Buffer.from("two"), { persistent: true });
      await channel.waitForConfirms();
    });
    await rabbit.kill();
    expect(await refused(rabbit.url)).toBe(true);
    await rabbit.start();
    const bodies = await withChannel(rabbit.url, async (channel) => {
      const out: string[] = [];
      for (;;) {
        const message = await channel.get("testkit.durable", { noAck: true });
        if (!message) return out;
        out.push(message.content.toString());
      }
    });
    expect(bodies).toEqual(["one", "two"]);
  }, 90_000);

  it("leaves nothing listening after close", async () => {
    const second = await startRabbit();
    expect(await refused(second.url)).toBe(false);
    await second.close();
    expect(await refused(second.url)).toBe(true);
  }, 90_000);
});
