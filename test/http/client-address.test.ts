/**
 * Who the client is, for per-address limits (issue 16): X-Forwarded-For is believed only from the
 * proxies TRUST_PROXY names. By default nobody's — a client that rotates the header is still one
 * client — and with TRUST_PROXY=1 (one proxy in front, as nginx in compose) the proxy's word counts.
 */
import { startEmbeddedStack, useStack } from "../support/stacks";

const LIMIT = 3;
const login = (url: string, forwardedFor: string) =>
  fetch(`${url}/v1.0/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
    body: JSON.stringify({ username: "nobody", password: "wrong-password" }),
  });

describe("the client address behind proxies", () => {
  describe("by default (TRUST_PROXY unset)", () => {
    const stack = useStack(() => startEmbeddedStack({ gateway: { loginRatePerMinute: LIMIT } }));
    it("a client rotating X-Forwarded-For does not escape the login limit", async () => {
      const statuses = [];
      for (let i = 0; i <= LIMIT; i++)
        statuses.push((await login(stack().api.baseUrl, `10.0.0.${i + 1}`)).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
    });
  });

  describe("with TRUST_PROXY=1 (one proxy in front)", () => {
    const stack = useStack(() =>
      startEmbeddedStack({ gateway: { loginRatePerMinute: LIMIT }, trustProxy: 1 }),
    );
    it("counts each client the proxy names, and only the address the proxy itself saw", async () => {
      const url = stack().api.baseUrl;
      for (let i = 0; i <= LIMIT; i++) expect((await login(url, `10.0.1.${i + 1}`)).status).toBe(401);
      // A forged entry before the proxy's own is ignored: the client is the last hop's.
      const statuses = [];
      for (let i = 0; i <= LIMIT; i++) statuses.push((await login(url, `1.2.3.${i}, 10.0.2.1`)).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
    });
  });
});
