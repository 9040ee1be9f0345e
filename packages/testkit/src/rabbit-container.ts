/** RabbitMQ in a container (testcontainers), on a fixed host port so that a restart keeps the URL. */
import { GenericContainer, Wait, getContainerRuntimeClient } from "testcontainers";
import type { RabbitHandle } from "./rabbit";
import { waitForAmqp } from "./rabbit";
import { freePort } from "./wait";

export async function startRabbitContainer(): Promise<RabbitHandle> {
  const image = process.env.TALK_TEST_RABBITMQ_IMAGE ?? "rabbitmq:3.13-alpine";
  const port = await freePort();
  const started = await new GenericContainer(image)
    .withHostname("talk-test-rabbit") // the node name, hence the data directory, must not change
    .withExposedPorts({ container: 5672, host: port })
    .withWaitStrategy(Wait.forLogMessage(/Server startup complete/))
    .withStartupTimeout(120_000)
    .start();
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  await waitForAmqp(url, 30_000);
  const client = await getContainerRuntimeClient();
  const container = client.container.getById(started.getId());
  let closed = false;
  return {
    url,
    restartable: true,
    async stop() {
      await client.container.stop(container, { timeout: 20_000 });
    },
    async start() {
      await client.container.start(container);
      await waitForAmqp(url, 60_000);
    },
    async kill() {
      await container.kill({ signal: "SIGKILL" });
    },
    async close() {
      if (closed) return;
      closed = true;
      await started
        .stop({ timeout: 5_000 })
        .catch(() => client.container.remove(container, { removeVolumes: true }));
    },
  };
}
