import { GroupCommit, type Outcome } from "./group-commit";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("group commit", () => {
  it("when idle, a request is written at once, alone", async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number, number>(
      async (inputs) => {
        batches.push(inputs);
        return inputs.map((n) => ({ value: n * 2 }));
      },
      { maxBatch: 10, concurrency: 1 },
    );
    await expect(group.submit(21)).resolves.toBe(42);
    expect(batches).toEqual([[21]]);
  });

  it("requests submitted together start one batch; those that arrive during a write go together in the next, bounded by maxBatch", async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const group = new GroupCommit<number, number>(
      async (inputs) => {
        batches.push(inputs);
        if (batches.length === 1) await gate;
        return inputs.map((n) => ({ value: n }));
      },
      { maxBatch: 3, concurrency: 1 },
    );
    const first = [1, 2].map((n) => group.submit(n));
    await tick();
    const later = [3, 4, 5, 6].map((n) => group.submit(n));
    await tick();
    release();
    await expect(Promise.all([...first, ...later])).resolves.toEqual([1, 2, 3, 4, 5, 6]);
    expect(batches).toEqual([[1, 2], [3, 4, 5], [6]]);
  });

  it("each request gets its own outcome: value, error, or work done alone after the batch", async () => {
    const group = new GroupCommit<number, string>(
      async (inputs) =>
        inputs.map((n): Outcome<string> =>
          n === 1 ? { value: "one" } : n === 2 ? { error: new Error("two") } : { alone: async () => "three" },
        ),
      { maxBatch: 10, concurrency: 1 },
    );
    const first = group.submit(0); // written alone, first
    const results = await Promise.allSettled([group.submit(1), group.submit(2), group.submit(3)]);
    await first.catch(() => undefined);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([
      "one",
      "two",
      "three",
    ]);
  });

  it("a batch that fails fails each of its requests, and the next batch still runs", async () => {
    let calls = 0;
    const group = new GroupCommit<number, number>(
      async (inputs) => {
        if (++calls === 1) throw new Error("database gone");
        return inputs.map((n) => ({ value: n }));
      },
      { maxBatch: 10, concurrency: 1 },
    );
    await expect(group.submit(1)).rejects.toThrow("database gone");
    await expect(group.submit(2)).resolves.toBe(2);
  });

  it("a request submitted to go alone is written in a batch of its own, in its turn", async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const group = new GroupCommit<number, number>(
      async (inputs) => {
        batches.push(inputs);
        if (batches.length === 1) await gate;
        return inputs.map((n) => ({ value: n }));
      },
      { maxBatch: 10, concurrency: 1 },
    );
    const first = group.submit(1);
    await tick();
    const all = [first, group.submit(2), group.submitAlone(3), group.submit(4), group.submit(5)];
    await tick();
    release();
    await expect(Promise.all(all)).resolves.toEqual([1, 2, 3, 4, 5]);
    expect(batches).toEqual([[1], [2], [3], [4, 5]]);
  });
});
