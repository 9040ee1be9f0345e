/**
 * Whether a server could be had at all, decided synchronously (for `describe` vs `describe.skip`):
 * a URL in the environment, a Docker socket, or the binaries on this machine. Under CI=true a suite
 * should never skip: use `requireServers()`.
 */
import { existsSync } from "node:fs";
import { findExecutable } from "./process";

/** TALK_TEST_DOCKER=0 says no Docker engine answers (the test command checks it before the tests). */
function dockerSocketPresent(): boolean {
  const disabled = process.env.TALK_TEST_DOCKER;
  if (disabled === "0" || disabled === "false") return false;
  return Boolean(process.env.DOCKER_HOST) || existsSync("/var/run/docker.sock");
}

export function canStartRabbit(): boolean {
  return (
    Boolean(process.env.TALK_TEST_RABBITMQ_URL) ||
    dockerSocketPresent() ||
    findExecutable("rabbitmq-server", ["/usr/lib/rabbitmq/bin/rabbitmq-server"]) !== undefined
  );
}

/** A cluster is started from the machine's own binaries only. */
export function canStartRabbitCluster(): boolean {
  return findExecutable("rabbitmq-server", ["/usr/lib/rabbitmq/bin/rabbitmq-server"]) !== undefined;
}

export function canStartPostgres(): boolean {
  return (
    Boolean(process.env.TALK_TEST_POSTGRES_URL) ||
    dockerSocketPresent() ||
    findExecutable("initdb") !== undefined ||
    existsSync("/usr/lib/postgresql")
  );
}

/** A primary and a standby are started from the machine's own binaries only. */
export function canStartReplicatedPostgres(): boolean {
  return findExecutable("pg_basebackup") !== undefined || existsSync("/usr/lib/postgresql");
}

/** True under CI, where suites needing real servers must run (and fail if they cannot get them). */
export function serversRequired(): boolean {
  return process.env.CI === "true" || process.env.CI === "1";
}
