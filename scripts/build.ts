/**
 * `pnpm build`: compiles the workspace's runtime code to JavaScript, each package's `src/` to its
 * own `dist/` (CommonJS, ES2022, source maps), tests left out, so that services run on plain
 * `node` (the image does: `node --conditions=talk-dist dist/main.js`, which resolves every
 * `@talk/*` package to its `dist/`; which packages: see `runtimePackages`). Files are compiled one at a time with the TypeScript compiler
 * (`isolatedModules` holds everywhere); type checking is `pnpm typecheck`'s job.
 *   tsx scripts/build.ts                   every runtime package
 *   tsx scripts/build.ts @talk/push ...    only these (and nothing else)
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import ts from "typescript";

const ROOT = join(__dirname, "..");

/** A package that runs in production: its folder, its sources and its compiled output. */
interface RuntimePackage {
  folder: string;
  src: string;
  out: string;
  /** Only these files of `src` (default: every .ts file but tests). */
  files?: string[];
}

/**
 * The workspace packages that run in production: those whose `exports` map `.` under the
 * `talk-dist` condition (to `<out>/index.js`; the default target says where the sources are). A
 * package whose sources sit at its root (the console: its dist/ is the web app) compiles that one file.
 */
export function runtimePackages(): Record<string, RuntimePackage> {
  const found: Record<string, RuntimePackage> = {};
  for (const parent of ["packages", "services"])
    for (const name of readdirSync(join(ROOT, parent))) {
      const folder = `${parent}/${name}`;
      const manifest = join(ROOT, folder, "package.json");
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as {
        name: string;
        exports?: Record<string, unknown>;
      };
      const main = pkg.exports?.["."] as { "talk-dist"?: string; default?: string } | undefined;
      if (!main?.["talk-dist"] || !main.default) continue;
      const src = normalize(dirname(main.default));
      found[pkg.name] = {
        folder,
        src,
        out: normalize(dirname(main["talk-dist"])),
        ...(src === "." ? { files: [main.default.replace(/^\.\//, "")] } : {}),
      };
    }
  return found;
}

const base = ts.readConfigFile(join(ROOT, "tsconfig.base.json"), (path) => ts.sys.readFile(path)).config;
const { options } = ts.convertCompilerOptionsFromJson(
  { ...base.compilerOptions, noEmit: false, sourceMap: true, inlineSources: true },
  ROOT,
);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Compiles one package's sources into its output folder; returns the number of files. */
export function buildPackage(pkg: RuntimePackage): number {
  const src = join(ROOT, pkg.folder, pkg.src);
  const dist = join(ROOT, pkg.folder, pkg.out);
  rmSync(dist, { recursive: true, force: true });
  const files = pkg.files ? pkg.files.map((file) => join(src, file)) : sources(src);
  for (const file of files) {
    const out = join(dist, relative(src, file)).replace(/\.ts$/, ".js");
    const result = ts.transpileModule(readFileSync(file, "utf8"), {
      compilerOptions: options,
      fileName: relative(dirname(out), file),
      reportDiagnostics: true,
    });
    const problems = result.diagnostics?.filter((d) => d.category === ts.DiagnosticCategory.Error) ?? [];
    if (problems.length > 0)
      throw new Error(
        `${relative(ROOT, file)}: ${problems.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ")}`,
      );
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(
      out,
      result.outputText.replace(
        /\/\/# sourceMappingURL=.*$/m,
        `//# sourceMappingURL=${out.split("/").pop()}.map`,
      ),
    );
    writeFileSync(`${out}.map`, result.sourceMapText ?? "");
  }
  return files.length;
}

function main(): void {
  const RUNTIME_PACKAGES = runtimePackages();
  const wanted = process.argv.slice(2);
  for (const name of wanted)
    if (!RUNTIME_PACKAGES[name])
      throw new Error(`${name} is not a runtime package (${Object.keys(RUNTIME_PACKAGES).join(", ")})`);
  const names = wanted.length > 0 ? wanted : Object.keys(RUNTIME_PACKAGES);
  for (const name of names) {
    const pkg = RUNTIME_PACKAGES[name];
    const count = buildPackage(pkg);
    process.stdout.write(`${name}: ${count} files → ${pkg.folder}/${pkg.out}\n`);
  }
}

if (require.main === module) main();
