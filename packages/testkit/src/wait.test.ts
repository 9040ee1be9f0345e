import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "./wait";

describe("waitFor", () => {
  it("resolves with the first truthy value of the probe", async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? `done after ${n}` : undefined), { intervalMs: 1 })).resolves.toBe(
      "done after 3",
    );
  });

  it("treats a throwing probe as not yet", async () => {
    let n = 0;
    const value = await waitFor(
      async () => {
        if (++n < 3) throw new Error("not yet");
        return n;
      },
      { intervalMs: 1 },
    );
    expect(value).toBe(3);
  });

  it("fails on timeout, naming what it waited for and the last error", async () => {
    await expect(
      waitFor(
        () => {
          throw new Error("still down");
        },
        { timeoutMs: 50, intervalMs: 5, what: "the broker" },
      ),
    ).rejects.toThrow(/waiting for the broker; last error: still down/);
  });
});

describe("freePort", () => {
  it("returns a port that can be bound", async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    await new Promise((resolve) => server.close(resolve));
  });

  it("never gives the same port twice: each is reserved on disk, where other processes look too", async () => {
    const ports = await Promise.all(Array.from({ length: 200 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    const hour = String(Math.floor(Date.now() / 3_600_000));
    for (const port of ports.slice(0, 5))
      expect(existsSync(join(tmpdir(), "talk-ports", hour, String(port)))).toBe(true);
  });
});
