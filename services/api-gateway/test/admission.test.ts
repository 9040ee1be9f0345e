import { waitFor } from "@talk/testkit";
import { testGateway } from "./fixtures";

describe.each([
  ["ahead of express (the server's gate)", true],
  ["in the API router (an app without the gate)", false],
])("admission control (MAX_REQUESTS_IN_FLIGHT) %s", (_where, gated) => {
  it("refuses a request beyond the in-flight limit at once with 503 OVERLOADED and Retry-After, and serves again when a slot frees", async () => {
    const held: (() => void)[] = [];
    const gateway = await testGateway(
      { maxRequestsInFlight: 2 },
      () => new Promise<void>((resolve) => held.push(resolve)),
      { gated },
    );
    try {
      const first = gateway.login("whatever1");
      const second = gateway.login("whatever1");
      await waitFor(() => held.length === 2, { what: "two logins in flight" });

      const refused = await gateway.login("whatever1", { "x-request-id": "caller-id-7" });
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("1");
      // the SPEC's envelope, its request id the one in X-Request-Id
      const requestId = refused.headers.get("x-request-id");
      expect(requestId).toBe("caller-id-7");
      expect(((await refused.json()) as { error: object }).error).toEqual({
        status: "UNAVAILABLE",
        reason: "OVERLOADED",
        message: "This gateway is serving its limit of 2 requests at once; retry in a second.",
        request_id: requestId,
      });
      expect(refused.headers.get("x-content-type-options")).toBe("nosniff");
      const metricsText = await gateway.metrics.registry.metrics();
      expect(metricsText).toMatch(/^talk_http_requests_shed_total\{[^}]*reason="in_flight"[^}]*\} 1$/m);
      expect(metricsText).toMatch(/^talk_http_requests_in_flight\{[^}]*\} 2$/m);

      held.shift()?.();
      expect((await first).status).toBe(200);
      const third = gateway.login("whatever1"); // the freed slot takes it
      await waitFor(() => held.length === 2, { what: "the next login admitted" });
      for (const release of held.splice(0)) release();
      expect((await second).status).toBe(200);
      expect((await third).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});
