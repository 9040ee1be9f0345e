/**
 * The published build of @talk/client: ESM and CommonJS for Node.js and bundlers, with declarations.
 * The types it takes from @talk/contracts (a private workspace package) are inlined into the
 * declarations, and nothing of it remains at run time; `ws` stays a dependency.
 */
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", node: "src/node.ts" },
  format: ["esm", "cjs"],
  outExtension: ({ format }) => ({ js: format === "esm" ? ".mjs" : ".cjs" }),
  dts: { resolve: ["@talk/contracts"] },
  tsconfig: "tsconfig.build.json",
  target: "es2022",
  platform: "neutral",
  external: ["ws"],
  noExternal: ["@talk/contracts"],
  splitting: false,
  sourcemap: true,
  clean: true,
});
