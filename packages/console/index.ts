/**
 * The web console, for a server to mount at `/`: the files Vite built into `dist/` (run
 * `pnpm --filter @talk/console build`; the root `start` script does), sent brotli- or
 * gzip-compressed as the browser accepts (the build writes both beside each asset), with
 * long-lived caching of the hashed assets and none of `index.html`. Before a build it answers `/`
 * with how to make one.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import express, { type Router } from "express";
import expressStaticGzip from "express-static-gzip";
import helmet from "helmet";

/**
 * The console's Content-Security-Policy: its own scripts, styles, images and API/WebSocket only;
 * never framed (clickjacking), no plugins, no inline script, no <base> or form posts elsewhere.
 */
export const CONSOLE_CSP = {
  "default-src": ["'self'"],
  "script-src": ["'self'"],
  "style-src": ["'self'"],
  "img-src": ["'self'", "data:"],
  "font-src": ["'self'"],
  "connect-src": ["'self'"],
  "object-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
};

/** This package's folder: where index.ts is, or above lib/ where it is compiled to. */
const PACKAGE_DIR = existsSync(join(__dirname, "package.json")) ? __dirname : dirname(__dirname);

/** Where the built console is. */
export const CONSOLE_DIST_DIR = join(PACKAGE_DIR, "dist");

export function consoleBuilt(dir = CONSOLE_DIST_DIR): boolean {
  return existsSync(join(dir, "index.html"));
}

/** The console as express middleware: mount it at `/`, beside the API at `/v1.0`. */
export function serveConsole(dir = CONSOLE_DIST_DIR): Router {
  const router = express.Router();
  router.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP },
      frameguard: { action: "deny" },
    }),
  );
  router.use(
    expressStaticGzip(dir, {
      enableBrotli: true,
      orderPreference: ["br", "gz"],
      index: "index.html",
      serveStatic: {
        setHeaders(res, path) {
          res.setHeader(
            "Cache-Control",
            path.includes(`${join(dir, "assets")}`) ? "public, max-age=31536000, immutable" : "no-cache",
          );
        },
      },
    }),
  );
  router.get("/", (_req, res, next) => {
    if (consoleBuilt(dir)) return next();
    res
      .status(503)
      .type("text/plain")
      .send(
        "The web console is not built: run `npx pnpm --filter @talk/console build`, then reload. The API is at /v1.0.\n",
      );
  });
  return router;
}
