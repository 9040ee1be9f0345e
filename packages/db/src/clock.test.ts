import { addMicrosecond, nextTimestampAfter } from "./clock";

describe("timestamps computed without the database", () => {
  it("add one microsecond, carrying into the seconds, days and years", () => {
    expect(addMicrosecond("2026-01-01 10:00:00.000001")).toBe("2026-01-01 10:00:00.000002");
    expect(addMicrosecond("2026-01-01 10:00:00.5")).toBe("2026-01-01 10:00:00.500001");
    expect(addMicrosecond("2026-01-01 10:00:59.999999")).toBe("2026-01-01 10:01:00.000000");
    expect(addMicrosecond("2026-12-31 23:59:59.999999")).toBe("2027-01-01 00:00:00.000000");
  });
  it("take the clock when it is later than the previous one, else one microsecond after it", () => {
    expect(nextTimestampAfter("2026-01-01 10:00:00.000010", null)).toBe("2026-01-01 10:00:00.000010");
    expect(nextTimestampAfter("2026-01-01 10:00:00.000010", "2026-01-01 10:00:00.000009")).toBe(
      "2026-01-01 10:00:00.000010",
    );
    expect(nextTimestampAfter("2026-01-01 10:00:00.000010", "2026-01-01 10:00:00.000010")).toBe(
      "2026-01-01 10:00:00.000011",
    );
    expect(nextTimestampAfter("2026-01-01 10:00:00.00001", "2026-01-01 10:00:01")).toBe(
      "2026-01-01 10:00:01.000001",
    );
  });
});
