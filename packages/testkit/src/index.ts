/** Test infrastructure: real RabbitMQ and PostgreSQL servers, and polling helpers. */
export { startRabbit, waitForAmqp, type RabbitHandle } from "./rabbit";
export {
  startLocalRabbitCluster as startRabbitCluster,
  type RabbitClusterHandle,
  type RabbitNodeHandle,
} from "./rabbit-cluster";
export { IsolatedNetwork, isolatedNetworkUnavailable } from "./netns";
export {
  startPostgres,
  createDatabase,
  databaseUrl,
  postgresSettings,
  waitForPostgres,
  type PostgresHandle,
  type PostgresOptions,
} from "./postgres";
export {
  startReplicatedPostgres,
  type ReplicatedPostgresHandle,
  type PostgresNodeHandle,
  type PostgresRole,
} from "./postgres-replicated";
export { waitFor, freePort, sleep, type WaitForOptions } from "./wait";
export { dockerAnswers } from "./docker";
export {
  canStartRabbit,
  canStartRabbitCluster,
  canStartPostgres,
  canStartReplicatedPostgres,
  serversRequired,
} from "./availability";
export {
  describeNeeding,
  itNeeding,
  missing,
  recordSkip,
  chromiumPath,
  type Requirement,
} from "./requirements";
export { eachDatabase, type DatabaseCase, type TestDatabase } from "./databases";
