import { unauthenticated } from "@talk/contracts";
import { testGateway } from "./fixtures";

describe("login rate limiting", () => {
  it("answers 429 with Retry-After once a client passes its logins per minute", async () => {
    const gateway = await testGateway({ loginRatePerMinute: 3 }, async (req) => {
      if (req.password !== "right")
        throw unauthenticated("INVALID_CREDENTIALS", "The username or password is not correct.");
    });
    try {
      const { login } = gateway;
      expect((await login("right")).status).toBe(200);
      expect((await login("wrong")).status).toBe(401);
      expect((await login("wrong")).status).toBe(401);
      const limited = await login("right");
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBe("60");
      expect(((await limited.json()) as { error: object }).error).toMatchObject({
        status: "RESOURCE_EXHAUSTED",
        reason: "TOO_MANY_LOGINS",
      });
    } finally {
      await gateway.close();
    }
  });
});
