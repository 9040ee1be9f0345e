// Renders a Helm chart's templates with Go's own text/template engine (compiled to WebAssembly:
// @evertdespiegeleer/go-template), as `helm template` does for a chart that uses only Go's built-in
// template functions. Reads {"chart": dir, "context": {Values, Release, Chart, Capabilities}} on
// stdin; writes {"<template file>": "<rendered text>"} on stdout. Named templates are defined in the
// chart's `_*.tpl` files, which render to nothing. An ES module, because the engine is one.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "@evertdespiegeleer/go-template";

const { chart, context } = JSON.parse(readFileSync(0, "utf8"));
const dir = join(chart, "templates");
const files = readdirSync(dir).sort();
const helpers = files
  .filter((f) => f.startsWith("_"))
  .map((f) => readFileSync(join(dir, f), "utf8"))
  .join("\n");
const rendered = {};
for (const file of files.filter((f) => !f.startsWith("_") && /\.ya?ml$/.test(f))) {
  try {
    // The helpers only define templates: what they print (blank lines) goes before the document.
    rendered[file] = await parse(`${helpers}\n${readFileSync(join(dir, file), "utf8")}`, context);
  } catch (error) {
    process.stderr.write(`${file}: ${error.message}\n`);
    process.exit(1);
  }
}
process.stdout.write(JSON.stringify(rendered));
