import {
  NOT_DELETED,
  attachState,
  cleanContentType,
  cleanName,
  contentDisposition,
  parseRange,
  readAccess,
} from "./file-rules";

const CUSTOMER = "11111111-1111-4111-8111-111111111111";
const OTHER_CUSTOMER = "22222222-2222-4222-8222-222222222222";
const OWNER = "33333333-3333-4333-8333-333333333333";
const SOMEONE = "44444444-4444-4444-8444-444444444444";

describe("file names and types", () => {
  it("keeps the last path segment of a name, without control characters", () => {
    expect(cleanName("C:\\Users\\ann\\report.pdf")).toBe("report.pdf");
    expect(cleanName("../../etc/pass\nwd")).toBe("passwd");
  });
  it("refuses a missing or too long name", () => {
    expect(() => cleanName(undefined)).toThrow(/Name the file/);
    expect(() => cleanName("x".repeat(256))).toThrow(/longer than 255/);
  });
  it("defaults the content type and refuses one that is not type/subtype", () => {
    expect(cleanContentType(undefined)).toBe("application/octet-stream");
    expect(cleanContentType("image/png")).toBe("image/png");
    expect(cleanContentType("text/plain; charset=utf-8")).toBe("text/plain; charset=utf-8");
    expect(() => cleanContentType("nonsense")).toThrow(/not a media type/);
  });
});

describe("who may read a file", () => {
  const file = { customer_id: CUSTOMER, owner_id: OWNER };
  it("lets its uploader read it", () => {
    expect(readAccess(file, { customer_id: CUSTOMER, agent_id: OWNER })).toBe("owner");
  });
  it("asks message-manager about another agent of the customer", () => {
    expect(readAccess(file, { customer_id: CUSTOMER, agent_id: SOMEONE })).toBe("ask");
  });
  it("hides it from another customer, even an agent with the same id", () => {
    expect(readAccess(file, { customer_id: OTHER_CUSTOMER, agent_id: OWNER })).toBe("hidden");
  });
});

describe("what a message attaching a file finds", () => {
  const file = { customer_id: CUSTOMER, tm_delete: NOT_DELETED, uploading: false };
  it("a ready file of the sender's customer", () => {
    expect(attachState(file, CUSTOMER)).toBe("ready");
  });
  it("nothing of another customer's file, as of one that never existed", () => {
    expect(attachState(file, OTHER_CUSTOMER)).toBe("missing");
    expect(attachState(undefined, CUSTOMER)).toBe("missing");
  });
  it("a deleted file, and an upload that has not finished", () => {
    expect(attachState({ ...file, tm_delete: "2024-01-17 10:50:00.000000" }, CUSTOMER)).toBe("deleted");
    expect(attachState({ ...file, uploading: true }, CUSTOMER)).toBe("uploading");
  });
});

describe("byte ranges", () => {
  it("serves the whole body without a header or with several ranges", () => {
    expect(parseRange(undefined, 10)).toBeUndefined();
    expect(parseRange("bytes=0-1,4-5", 10)).toBeUndefined();
  });
  it("reads start-end, start- and -suffix ranges, clamped to the size", () => {
    expect(parseRange("bytes=2-5", 10)).toEqual({ start: 2, end: 5 });
    expect(parseRange("bytes=7-", 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange("bytes=-3", 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange("bytes=5-100", 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange("bytes=-30", 10)).toEqual({ start: 0, end: 9 });
  });
  it("calls a range past the end unsatisfiable", () => {
    expect(parseRange("bytes=10-", 10)).toBe("unsatisfiable");
    expect(parseRange("bytes=5-2", 10)).toBe("unsatisfiable");
    expect(parseRange("bytes=-0", 10)).toBe("unsatisfiable");
  });
});

describe("downloads", () => {
  it("are attachments with an ASCII fallback and the UTF-8 name", () => {
    expect(contentDisposition('Plan "Ü".pdf')).toBe(
      `attachment; filename="Plan ___.pdf"; filename*=UTF-8''Plan%20%22%C3%9C%22.pdf`,
    );
  });
});
