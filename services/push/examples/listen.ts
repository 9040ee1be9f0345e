/**
 * Listen to Talk's WebSocket as an agent: log in, subscribe to every chat you are in (and, for a
 * customer admin, to every chat of the customer), print each event, and on any disconnection
 * reconnect with the cursor of the last frame — so nothing is missed, nothing repeated.
 *
 *   npx tsx services/push/examples/listen.ts                       # alice on http://localhost:8080
 *   npx tsx services/push/examples/listen.ts --username bob --password bob-talk-demo
 *   npx tsx services/push/examples/listen.ts --url http://localhost:8080 --token "$TOKEN" --cursor <cursor>
 */
import WebSocket from "ws";

interface Options {
  url: string;
  username: string;
  password: string;
  token?: string;
  cursor?: string;
}

function options(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const username = value("username") ?? "alice";
  return {
    url: value("url") ?? "http://localhost:8080",
    username,
    password: value("password") ?? `${username}-talk-demo`,
    token: value("token"),
    cursor: value("cursor"),
  };
}

async function login(opts: Options): Promise<string> {
  if (opts.token) return opts.token;
  const res = await fetch(`${opts.url}/v1.0/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: opts.username, password: opts.password }),
  });
  const body = (await res.json()) as { token?: string; error?: { message: string } };
  if (!body.token) throw new Error(`login failed: ${body.error?.message ?? res.status}`);
  return body.token;
}

/** The agent, customer and permission a token carries (its payload; the server verifies it). */
function claims(token: string): { agentId: string; customerId: string; admin: boolean } {
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as {
    sub: string;
    customer_id: string;
    permission: string;
  };
  return { agentId: payload.sub, customerId: payload.customer_id, admin: payload.permission === "admin" };
}

function describe(frame: Record<string, unknown>): string {
  const data = (frame.data ?? {}) as Record<string, unknown>;
  const what = data.text ?? data.name ?? data.owner_id ?? data.id;
  return `#${String(frame.seq)} ${String(frame.type).padEnd(28)} ${String(what ?? "").slice(0, 60)}  (${String(frame.topic)})`;
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  let token = await login(opts);
  const me = claims(token);
  const topics = [`agent_id:${me.agentId}:chat`, ...(me.admin ? [`customer_id:${me.customerId}:chat`] : [])];
  let cursor = opts.cursor;
  let stopping = false;
  let attempt = 0;
  let current: WebSocket | undefined;

  const connect = () => {
    const url = new URL("/v1.0/ws", opts.url.replace(/^http/, "ws"));
    url.searchParams.set("token", token);
    const resuming = cursor !== undefined;
    if (cursor) url.searchParams.set("cursor", cursor);
    const ws = new WebSocket(url);
    current = ws;
    ws.on("open", () => {
      attempt = 0;
      ws.send(JSON.stringify({ type: "subscribe", topics, id: "listen" }));
    });
    ws.on("message", (raw) => {
      const frame = JSON.parse(raw.toString()) as Record<string, unknown>;
      switch (frame.type) {
        case "subscribed":
          console.log(
            `subscribed to ${(frame.topics as string[]).join(", ")}${resuming ? " (resuming)" : ""}`,
          );
          break;
        case "unsubscribed":
          break;
        case "error":
          console.error("error:", JSON.stringify(frame.error));
          break;
        case "resync_required":
          console.warn(`resync required (${String(frame.reason)}): reload your chats from the REST API`);
          break;
        default:
          console.log(describe(frame));
      }
      if (typeof frame.cursor === "string") cursor = frame.cursor; // the place to resume from
    });
    ws.on("unexpected-response", (_req, res) => {
      console.error(`connection refused: HTTP ${res.statusCode}`);
      if (res.statusCode === 401 || res.statusCode === 400) process.exit(1);
    });
    ws.on("error", (err) => console.error(`connection error: ${err.message}`));
    ws.on("close", (code, reason) => {
      if (stopping) return;
      const delay = Math.min(10_000, 250 * 2 ** attempt++);
      console.warn(`closed (${code} ${reason.toString()}); reconnecting in ${delay} ms with the last cursor`);
      setTimeout(() => {
        // 4001: the token expired; log in again (when we can) before reconnecting
        const renewed =
          code === 4001 && !opts.token ? login(opts).then((t) => void (token = t)) : Promise.resolve();
        renewed.catch((err: unknown) => console.error(`login failed: ${String(err)}`)).finally(connect);
      }, delay);
    });
  };

  connect();
  process.on("SIGINT", () => {
    stopping = true;
    console.log(`\nlast cursor: ${cursor ?? "(none)"} (pass it as --cursor to go on from here)`);
    current?.close(1000);
    setTimeout(() => process.exit(0), 200).unref();
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
