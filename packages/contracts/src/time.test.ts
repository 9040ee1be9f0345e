import { formatDate, isTimestamp, normalizeTimestamp } from "./time";

describe("wire timestamps", () => {
  it("pads the fraction PostgreSQL trims to six digits", () => {
    expect(normalizeTimestamp("2024-01-17 10:30:00.1")).toBe("2024-01-17 10:30:00.100000");
    expect(normalizeTimestamp("2024-01-17 10:30:00")).toBe("2024-01-17 10:30:00.000000");
    expect(normalizeTimestamp("2024-01-17 10:30:00.123456")).toBe("2024-01-17 10:30:00.123456");
  });
  it("drops a zone suffix and the ISO T", () => {
    expect(normalizeTimestamp("2024-01-17T10:30:00.123Z")).toBe("2024-01-17 10:30:00.123000");
    expect(normalizeTimestamp("2024-01-17 10:30:00.5+00")).toBe("2024-01-17 10:30:00.500000");
  });
  it("recognises only the exact wire form", () => {
    expect(isTimestamp(formatDate(new Date()))).toBe(true);
    expect(isTimestamp("2024-01-17 10:30:00")).toBe(false);
    expect(isTimestamp("yesterday")).toBe(false);
  });
});
