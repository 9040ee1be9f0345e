import { UUID_RE, uuid } from "./schemas/common";
import { NOT_DELETED, formatDate, isDeleted, isTimestamp, normalizeTimestamp } from "./time";
import { validate } from "./validation";

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
  it("refuses a well-shaped timestamp that names no real instant", () => {
    expect(isTimestamp("2024-13-45 99:99:99.000000")).toBe(false);
    expect(isTimestamp("2023-02-29 10:00:00.000000")).toBe(false);
    expect(isTimestamp("2024-04-31 10:00:00.000000")).toBe(false);
    expect(isTimestamp("0000-01-01 00:00:00.000000")).toBe(false);
    expect(isTimestamp("2024-01-01 24:00:00.000000")).toBe(false);
    expect(isTimestamp("2024-02-29 23:59:59.999999")).toBe(true);
    expect(isTimestamp("2000-02-29 00:00:00.000000")).toBe(true);
    expect(isTimestamp("9999-01-01 00:00:00.000000")).toBe(true);
  });
});

describe("the shared truths", () => {
  it("a resource is deleted when its tm_delete is before the sentinel", () => {
    expect(isDeleted({ tm_delete: NOT_DELETED })).toBe(false);
    expect(isDeleted({ tm_delete: "2024-01-17 10:35:00.000000" })).toBe(true);
  });
  it("ids are lowercase UUIDs only", () => {
    expect(UUID_RE.test("e8b2e976-f043-44c8-bb89-e214e225e813")).toBe(true);
    expect(UUID_RE.test("E8B2E976-F043-44C8-BB89-E214E225E813")).toBe(false);
    expect(() => validate(uuid, "E8B2E976-F043-44C8-BB89-E214E225E813", "path.id")).toThrow(
      /path\.id must be a lowercase UUID/,
    );
  });
});
