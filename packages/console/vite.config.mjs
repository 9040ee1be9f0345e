// Builds web/ into dist/ (served at / by the embedded system and the gateway). `pnpm dev` serves it
// with hot reload and forwards the API and the WebSocket to a system on TALK_URL (default :8080).
// Each asset is also written compressed (.br, .gz) for serveConsole() to send to browsers that take it.
import { defineConfig } from "vite";
import { compression } from "vite-plugin-compression2";

const target = process.env.TALK_URL ?? "http://localhost:8080";

export default defineConfig({
  root: "web",
  base: "/",
  plugins: [compression({ algorithms: ["brotliCompress", "gzip"], threshold: 512 })],
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "../dist", emptyOutDir: true, target: "es2022" },
  server: { proxy: { "/v1.0": { target, ws: true } } },
});
