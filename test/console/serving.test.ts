/**
 * How the console's files are served (the same middleware in embedded mode and in the gateway):
 * compressed as the browser accepts (brotli first, else gzip, else plain), hashed assets cached
 * for a year and `index.html` never, and a Content-Security-Policy without inline script.
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import express from "express";
import { CONSOLE_DIST_DIR, serveConsole } from "../../packages/console";
import { ROOT } from "./browser";

describe("serving the web console", () => {
  let server: Server;
  let base: string;
  let script: string;

  beforeAll(async () => {
    execFileSync(join(ROOT, "node_modules/.bin/pnpm"), ["--filter", "@talk/console", "build"], {
      cwd: ROOT,
      stdio: "pipe",
    });
    script = readdirSync(join(CONSOLE_DIST_DIR, "assets")).find((name) => name.endsWith(".js")) ?? "";
    const app = express();
    app.use(serveConsole());
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("sends a hashed asset brotli-compressed to a browser that takes it, gzip to one that takes only gzip, plain otherwise, cached for a year", async () => {
    const asked = async (encoding: string) => {
      const response = await fetch(`${base}/assets/${script}`, { headers: { "accept-encoding": encoding } });
      const body = await response.text(); // fetch decodes it again
      return {
        status: response.status,
        encoding: response.headers.get("content-encoding"),
        type: response.headers.get("content-type"),
        cache: response.headers.get("cache-control"),
        vary: response.headers.get("vary"),
        decoded: body.length > 1000,
      };
    };
    const cached = "public, max-age=31536000, immutable";
    expect(await asked("gzip, deflate, br")).toMatchObject({
      status: 200,
      encoding: "br",
      cache: cached,
      decoded: true,
    });
    expect(await asked("gzip")).toMatchObject({
      status: 200,
      encoding: "gzip",
      cache: cached,
      decoded: true,
    });
    const plain = await asked("identity");
    expect(plain).toMatchObject({ status: 200, encoding: null, cache: cached, decoded: true });
    expect(plain.type).toMatch(/javascript/);
    expect((await asked("br")).vary).toMatch(/Accept-Encoding/i);
  });

  it("sends index.html uncached, with a Content-Security-Policy that allows no inline script", async () => {
    const response = await fetch(`${base}/`, { headers: { "accept-encoding": "br" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(await response.text()).toContain(`/assets/${script}`);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
