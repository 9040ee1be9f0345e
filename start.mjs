/**
 * `node start.mjs` — the README's first command after install (`pnpm start` runs it too): the whole
 * system (embedded mode) in this one Node process, from compiled JavaScript. No TypeScript compiler,
 * no bundler and no wrapper process stays: what is out of date is built first (in child processes
 * that exit), then services/embedded/dist/main.js runs here, every `@talk/*` package from its dist/
 * as under `node --conditions=talk-dist` (how the image runs the services).
 *
 *   node start.mjs           build what is out of date, then start
 *   node start.mjs --build   only build what is out of date (the root `prepare` script: every install)
 *
 * Built: every runtime package (`scripts/build.ts`), the console (Vite) and an empty, initialised
 * PGlite folder that a new data folder is copied from (initdb in WebAssembly takes ~10 s). Out of
 * date: a source, manifest or the lockfile is newer than the last complete build.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const STAMP = join(ROOT, "services/embedded/dist/.built");
const PGLITE_TEMPLATE = join(ROOT, "services/embedded/pglite-template");

/** The newest modification time of the sources a build depends on. */
function newestSource() {
  let newest = statSync(join(ROOT, "pnpm-lock.yaml")).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "dist" || entry.name === "lib") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const parent of ["packages", "services"])
    for (const name of readdirSync(join(ROOT, parent))) {
      const folder = join(ROOT, parent, name);
      if (existsSync(join(folder, "package.json")))
        newest = Math.max(newest, statSync(join(folder, "package.json")).mtimeMs);
      if (name === "console") walk(folder);
      else if (existsSync(join(folder, "src"))) walk(join(folder, "src"));
    }
  return newest;
}

function run(what, command, args, cwd = ROOT) {
  const started = Date.now();
  process.stdout.write(`talk: ${what}…`);
  const result = spawnSync(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (result.status !== 0) {
    process.stdout.write(" failed\n");
    process.stderr.write(`${result.stdout}\n${result.stderr}\n`);
    process.exit(1);
  }
  process.stdout.write(` ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** Builds what is out of date; true when something was built. */
function buildIfStale() {
  if (existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestSource()) return false;
  run("compiling TypeScript (scripts/build.ts)", process.execPath, [
    "--import",
    "tsx",
    join(ROOT, "scripts/build.ts"),
  ]);
  run(
    "building the console (vite build)",
    process.execPath,
    [
      join(
        dirname(require.resolve("vite/package.json", { paths: [join(ROOT, "packages/console")] })),
        "bin/vite.js",
      ),
      "build",
      "--logLevel",
      "warn",
    ],
    join(ROOT, "packages/console"),
  );
  // The template depends on PGlite alone: made again only when the lockfile changed.
  const lockfile = statSync(join(ROOT, "pnpm-lock.yaml")).mtimeMs;
  const made = join(PGLITE_TEMPLATE, "PG_VERSION");
  if (!existsSync(made) || statSync(made).mtimeMs < lockfile) {
    rmSync(PGLITE_TEMPLATE, { recursive: true, force: true });
    run("initialising an empty database (PGlite)", process.execPath, [
      fileURLToPath(import.meta.url),
      "--pglite-template",
    ]);
  }
  mkdirSync(dirname(STAMP), { recursive: true });
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  return true;
}

/** `require("@talk/x")` resolves as under `--conditions=talk-dist`: to the package's compiled dist/. */
function resolveTalkPackagesToDist() {
  const Module = require("node:module");
  const resolveFilename = Module._resolveFilename;
  const targets = new Map();
  Module._resolveFilename = function (request, parent, isMain, options) {
    if (request.startsWith("@talk/")) {
      const [scope, name, ...rest] = request.split("/");
      const manifest = resolveFilename.call(this, `${scope}/${name}/package.json`, parent, false);
      const subpath = rest.length > 0 ? `./${rest.join("/")}` : ".";
      const key = `${manifest}\u0000${subpath}`;
      if (!targets.has(key)) {
        const target = JSON.parse(readFileSync(manifest, "utf8")).exports?.[subpath]?.["talk-dist"];
        targets.set(key, target ? join(dirname(manifest), target) : undefined);
      }
      const target = targets.get(key);
      if (target) return target;
    }
    return resolveFilename.call(this, request, parent, isMain, options);
  };
}

const mode = process.argv[2];
if (mode === "--pglite-template") {
  resolveTalkPackagesToDist();
  await require("@talk/db").createPgliteTemplate(PGLITE_TEMPLATE);
} else if (mode === "--build") {
  if (!buildIfStale()) process.stdout.write("talk: compiled JavaScript is up to date\n");
} else if (mode !== undefined) {
  process.stderr.write(`usage: node start.mjs [--build]\n`);
  process.exit(2);
} else {
  buildIfStale();
  resolveTalkPackagesToDist();
  require(join(ROOT, "services/embedded/dist/main.js"));
}
