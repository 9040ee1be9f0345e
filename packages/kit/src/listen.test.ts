import { execFileSync } from "node:child_process";
import http from "node:http";
import express from "express";
import { closeServer, listen } from "./ops";

/** The accept backlog the kernel gives a listening socket (`ss`: Send-Q of its LISTEN line). */
function listenBacklog(port: number): number {
  const line = execFileSync("ss", ["-ltnH", `sport = :${port}`], { encoding: "utf8" }).trim();
  return Number(line.split(/\s+/)[2]);
}

/** Two requests on one keep-alive agent: whether the second reused the first's connection. */
async function reused(port: number): Promise<boolean[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise<boolean>((resolve, reject) => {
      const req = http.get({ host: "127.0.0.1", port, path: "/", agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(req.reusedSocket));
      });
      req.on("error", reject);
    });
  try {
    return [await get(), await get()];
  } finally {
    agent.destroy();
  }
}

describe("the HTTP server's connection settings", () => {
  const app = express();
  app.get("/", (_req, res) => {
    res.send("ok");
  });

  it("keeps Node's own without settings: idle keep-alive connections close after 5 s, 511 queued", async () => {
    const { server, port } = await listen(app, 0, "127.0.0.1");
    try {
      expect(server.keepAliveTimeout).toBe(5000);
      expect(listenBacklog(port)).toBe(511);
    } finally {
      await closeServer(server);
    }
  });

  it("keeps idle connections as long as HTTP_KEEP_ALIVE_SECONDS says and queues HTTP_LISTEN_BACKLOG", async () => {
    const { server, port } = await listen(app, 0, "127.0.0.1", { keepAliveSeconds: 65, backlog: 100 });
    try {
      expect(server.keepAliveTimeout).toBe(65_000);
      // a request's headers may take at least as long as the connection may idle
      expect(server.headersTimeout).toBeGreaterThan(65_000);
      expect(listenBacklog(port)).toBe(100);
      expect(await reused(port)).toEqual([false, true]);
    } finally {
      await closeServer(server);
    }
  });
});
