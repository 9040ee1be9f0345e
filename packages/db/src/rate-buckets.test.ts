import { againOnDeadlock } from "./rate-buckets";

const deadlock = () => Object.assign(new Error("deadlock detected"), { code: "40P01" });

describe("a bucket statement chosen as a deadlock's victim", () => {
  it("runs again until it succeeds, and answers what the successful run answered", async () => {
    const outcomes: (() => string)[] = [
      () => {
        throw deadlock();
      },
      () => {
        throw deadlock();
      },
      () => "granted",
    ];
    let runs = 0;
    await expect(againOnDeadlock(async () => outcomes[runs++]())).resolves.toBe("granted");
    expect(runs).toBe(3);
  });

  it("gives up after five deadlocks with the database's error", async () => {
    let runs = 0;
    await expect(
      againOnDeadlock(async () => {
        runs += 1;
        throw deadlock();
      }),
    ).rejects.toMatchObject({ code: "40P01" });
    expect(runs).toBe(5);
  });

  it("does not run again on any other error", async () => {
    let runs = 0;
    const unique = Object.assign(new Error("duplicate key"), { code: "23505" });
    await expect(
      againOnDeadlock(async () => {
        runs += 1;
        throw unique;
      }),
    ).rejects.toBe(unique);
    expect(runs).toBe(1);
  });
});
