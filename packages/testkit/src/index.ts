/** Test infrastructure: real RabbitMQ and PostgreSQL servers, and polling helpers. */
export { startRabbit, waitForAmqp, type RabbitHandle } from "./rabbit";
export { startPostgres, createDatabase, databaseUrl, waitForPostgres, type PostgresHandle } from "./postgres";
export { waitFor, freePort, sleep, type WaitForOptions } from "./wait";
export { canStartRabbit, canStartPostgres, serversRequired } from "./availability";
export { eachDatabase, type DatabaseCase, type TestDatabase } from "./databases";
