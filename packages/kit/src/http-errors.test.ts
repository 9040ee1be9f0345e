import { AppError } from "@talk/contracts";
import { clientErrorOfHttp } from "./http-errors";

describe("clientErrorOfHttp", () => {
  it("names a path with bad percent-encoding", () => {
    let thrown: unknown;
    try {
      decodeURIComponent("%ZZ");
    } catch (error) {
      thrown = error;
    }
    expect(clientErrorOfHttp(thrown)).toMatchObject({ status: "INVALID_ARGUMENT", reason: "MALFORMED_PATH" });
  });

  it("names the body parser's errors", () => {
    expect(clientErrorOfHttp({ type: "entity.too.large" })?.reason).toBe("BODY_TOO_LARGE");
    expect(clientErrorOfHttp({ type: "entity.parse.failed" })?.reason).toBe("MALFORMED_JSON");
    expect(clientErrorOfHttp({ type: "charset.unsupported" })?.reason).toBe("UNSUPPORTED_ENCODING");
    expect(clientErrorOfHttp({ code: "Z_DATA_ERROR" })?.reason).toBe("MALFORMED_BODY_ENCODING");
  });

  it("leaves everything else to the caller, as not the client's mistake", () => {
    expect(clientErrorOfHttp(new Error("boom"))).toBeUndefined();
    expect(clientErrorOfHttp(new AppError("NOT_FOUND", "CHAT_NOT_FOUND", "x"))).toBeUndefined();
    expect(clientErrorOfHttp(undefined)).toBeUndefined();
  });
});
