import { HashingGate } from "./hashing-gate";

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe("the bound on concurrent password hashing", () => {
  it("runs at most `running` hashes at once, the rest in arrival order", async () => {
    const gate = new HashingGate({ running: 2, waiting: 10 });
    const started: number[] = [];
    const holds = [deferred(), deferred(), deferred(), deferred()];
    const runs = holds.map((hold, i) =>
      gate.run(async () => {
        started.push(i);
        await hold.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(gate.queued).toBe(2);
    holds[1].resolve();
    await runs[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    holds.forEach((h) => h.resolve());
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(gate.inUse).toBe(0);
  });
  it("refuses at once, with 429 LOGIN_BUSY, when the queue is full", async () => {
    const gate = new HashingGate({ running: 1, waiting: 1 });
    const hold = deferred();
    const first = gate.run(() => hold.promise);
    const second = gate.run(() => Promise.resolve());
    await expect(gate.run(() => Promise.resolve())).rejects.toMatchObject({
      status: "RESOURCE_EXHAUSTED",
      reason: "LOGIN_BUSY",
    });
    hold.resolve();
    await Promise.all([first, second]);
  });
  it("frees its place when a hash fails", async () => {
    const gate = new HashingGate({ running: 1, waiting: 0 });
    await expect(gate.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(gate.run(() => Promise.resolve("ok"))).resolves.toBe("ok");
  });
});
