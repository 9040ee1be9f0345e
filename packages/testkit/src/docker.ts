/** Whether a Docker engine answers, checked quickly (testcontainers itself can take long to give up). */
import { request } from "node:http";
import { connect } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { existsSync } from "node:fs";

let cached: Promise<boolean> | undefined;

export function dockerAnswers(timeoutMs = 1500): Promise<boolean> {
  cached ??= probe(timeoutMs);
  return cached;
}

async function probe(timeoutMs: number): Promise<boolean> {
  const disabled = process.env.TALK_TEST_DOCKER;
  if (disabled === "0" || disabled === "false") return false;
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith("tcp://")) {
    const url = new URL(host.replace(/^tcp:/, "http:"));
    return tcpAnswers(url.hostname, Number(url.port || 2375), timeoutMs);
  }
  const sockets = [
    process.env.TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE,
    host?.startsWith("unix://") ? host.slice("unix://".length) : undefined,
    "/var/run/docker.sock",
    join(homedir(), ".docker/run/docker.sock"),
    join(homedir(), ".docker/desktop/docker.sock"),
    process.getuid ? `/run/user/${process.getuid()}/docker.sock` : undefined,
  ];
  for (const socketPath of sockets) {
    if (socketPath && existsSync(socketPath) && (await pingSocket(socketPath, timeoutMs))) return true;
  }
  return false;
}

function pingSocket(socketPath: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: "/_ping", method: "GET", timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}
