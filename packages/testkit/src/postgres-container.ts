/** PostgreSQL in a container (testcontainers), on a fixed host port so that a restart keeps the URL. */
import { GenericContainer, Wait, getContainerRuntimeClient } from "testcontainers";
import type { PostgresHandle, PostgresOptions } from "./postgres";
import { createDatabase, postgresSettings, waitForPostgres } from "./postgres";
import { freePort } from "./wait";

export async function startPostgresContainer(options: PostgresOptions = {}): Promise<PostgresHandle> {
  const image = process.env.TALK_TEST_POSTGRES_IMAGE ?? "postgres:15-alpine";
  const port = await freePort();
  const started = await new GenericContainer(image)
    .withEnvironment({ POSTGRES_PASSWORD: "postgres" })
    .withCommand(["postgres", ...postgresSettings(options).flatMap((s) => ["-c", s])])
    .withExposedPorts({ container: 5432, host: port })
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .withStartupTimeout(120_000)
    .start();
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  await waitForPostgres(url, 30_000);
  const client = await getContainerRuntimeClient();
  const container = client.container.getById(started.getId());
  let closed = false;
  return {
    url,
    restartable: true,
    createDatabase: (name) => createDatabase(url, name),
    async stop() {
      await client.container.stop(container, { timeout: 20_000 });
    },
    async start() {
      await client.container.start(container);
      await waitForPostgres(url, 60_000);
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
