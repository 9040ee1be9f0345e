/**
 * Browser apps on other origins (CORS), through HTTP and the WebSocket, run against every stack.
 * The stacks allow one origin (ALLOWED_PAGE_ORIGIN); requests carry `Origin` as a browser sends it.
 */
import { type TestAgent, type TestStack, ALLOWED_PAGE_ORIGIN, newCustomer } from "../support/stacks";
import { PushClient, refusedUpgrade } from "../push/support/push-client";

const OTHER_ORIGIN = "https://elsewhere.example";
const chats = "/service_agents/talk_chats";
const messages = "/service_agents/talk_messages";

export function describeCrossOrigin(name: string, current: () => TestStack): void {
  describe(`browser apps on other origins (${name})`, () => {
    let stack: TestStack;
    let alice: TestAgent;
    let customerId: string;

    beforeEach(async () => {
      stack = current();
      const customer = await newCustomer(stack, 1);
      customerId = customer.customerId;
      [alice] = customer.agents;
    });

    /** A preflight as a browser sends it before a cross-origin request with these headers. */
    const preflight = (path: string, origin: string, method: string, headers: string) =>
      stack.api.request("OPTIONS", path, undefined, {
        origin,
        "access-control-request-method": method,
        "access-control-request-headers": headers,
      });

    describe("from an allowed origin", () => {
      it("answers the preflight of an authenticated write before authentication, with 204 and the CORS headers", async () => {
        const res = await preflight(
          messages,
          ALLOWED_PAGE_ORIGIN,
          "POST",
          "authorization,content-type,idempotency-key",
        );
        expect(res.status).toBe(204);
        expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED_PAGE_ORIGIN);
        expect(res.headers.get("access-control-allow-credentials")).toBe("true");
        expect(res.headers.get("access-control-allow-methods")).toContain("POST");
        expect(res.headers.get("access-control-allow-headers")).toBe(
          "authorization,content-type,idempotency-key",
        );
        expect(res.headers.get("access-control-max-age")).toBe("600");
        expect(res.headers.get("vary")).toMatch(/origin/i);
      });

      it("logs in and sends, each reply readable by the page with the tracing, retry and rate-limit headers exposed", async () => {
        const login = await stack.api.post(
          "/auth/login",
          { username: alice.username, password: `password-0-${customerId}` },
          { origin: ALLOWED_PAGE_ORIGIN },
        );
        expect(login.status).toBe(200);
        expect(login.headers.get("access-control-allow-origin")).toBe(ALLOWED_PAGE_ORIGIN);
        const exposed = (login.headers.get("access-control-expose-headers") ?? "").split(",");
        expect(exposed).toEqual(
          expect.arrayContaining([
            "X-Request-Id",
            "Retry-After",
            "RateLimit",
            "RateLimit-Policy",
            "RateLimit-Remaining",
          ]),
        );

        const page = stack.api.as(login.body.token);
        const chat = await page.post(
          chats,
          { type: "group", name: "From the web app" },
          { origin: ALLOWED_PAGE_ORIGIN },
        );
        expect(chat.status).toBe(200);
        const sent = await page.post(
          messages,
          { chat_id: chat.body.id, type: "normal", text: "hello from another origin" },
          { origin: ALLOWED_PAGE_ORIGIN },
        );
        expect(sent.status).toBe(200);
        expect(sent.headers.get("access-control-allow-origin")).toBe(ALLOWED_PAGE_ORIGIN);
      });

      it("lets the page read an error reply too (it carries the CORS headers)", async () => {
        const res = await stack.api.get(chats, { origin: ALLOWED_PAGE_ORIGIN });
        expect(res.status).toBe(401);
        expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED_PAGE_ORIGIN);
      });

      it("opens the WebSocket and receives the chat's events", async () => {
        const chat = await alice.api.post(chats, { type: "group", name: "Live from the web app" });
        const live = await PushClient.connect(stack.wsUrls[0], alice.token, { origin: ALLOWED_PAGE_ORIGIN });
        try {
          await live.subscribe(`agent_id:${alice.id}:chat:${chat.body.id}`);
          await alice.api.post(messages, { chat_id: chat.body.id, type: "normal", text: "seen live" });
          await live.until(
            (c) => c.events().some((e) => e.type === "chatmessage_created"),
            "the message event on the page's socket",
          );
        } finally {
          await live.close();
        }
      });
    });

    describe("from an origin not allowed", () => {
      it("refuses the preflight with 403 ORIGIN_NOT_ALLOWED and no CORS headers", async () => {
        const res = await preflight(messages, OTHER_ORIGIN, "POST", "authorization,content-type");
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({ status: "PERMISSION_DENIED", reason: "ORIGIN_NOT_ALLOWED" });
        expect(res.body.error.message).toContain(OTHER_ORIGIN);
        expect(res.headers.get("access-control-allow-origin")).toBeNull();
      });

      it("gives a simple request no CORS headers, so the browser keeps the reply from the page", async () => {
        const res = await alice.api.get(chats, { origin: OTHER_ORIGIN });
        expect(res.headers.get("access-control-allow-origin")).toBeNull();
      });

      it("refuses the WebSocket upgrade with 403 and the API's error body", async () => {
        const refused = await refusedUpgrade(
          `${stack.wsUrls[0]}/v1.0/ws?token=${encodeURIComponent(alice.token)}`,
          {
            origin: OTHER_ORIGIN,
          },
        );
        expect(refused.status).toBe(403);
        expect(refused.body.error).toMatchObject({
          status: "PERMISSION_DENIED",
          reason: "ORIGIN_NOT_ALLOWED",
        });
      });
    });

    it("still serves clients that are not browsers (no Origin) over HTTP and the WebSocket", async () => {
      expect((await alice.api.get(chats)).status).toBe(200);
      const live = await PushClient.connect(stack.wsUrls[0], alice.token);
      await live.subscribe(`agent_id:${alice.id}:chat`);
      await live.close();
    });
  });
}
